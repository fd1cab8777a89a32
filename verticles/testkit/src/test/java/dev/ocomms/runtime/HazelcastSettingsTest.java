package dev.ocomms.runtime;

import com.hazelcast.config.Config;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.TestConfigs;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Hazelcast's settings")
class HazelcastSettingsTest {

  @Test
  @DisplayName("with the member list, Hazelcast binds the cluster host's interface only and looks for the listed"
      + " members only")
  void boundToTheClusterHost() {
    OcommsConfig config = TestConfigs.defaults()
        .with(Setting.CLUSTER_HOST, "127.0.0.1")
        .with(Setting.CLUSTER_PORT, 5701)
        .with(Setting.CLUSTER_MEMBERS, "127.0.0.1:5702");
    Config hazelcast = HazelcastSettings.create(config);
    assertThat(hazelcast.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(hazelcast.getProperty("hazelcast.local.localAddress")).isEqualTo("127.0.0.1");
    assertThat(hazelcast.getNetworkConfig().getInterfaces().isEnabled()).isTrue();
    assertThat(hazelcast.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    assertThat(hazelcast.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(hazelcast.getNetworkConfig().getJoin().getTcpIpConfig().getMembers())
        .containsExactlyInAnyOrder("127.0.0.1:5702", "127.0.0.1:5701");
  }
}
