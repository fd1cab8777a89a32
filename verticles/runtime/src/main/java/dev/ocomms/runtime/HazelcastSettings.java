package dev.ocomms.runtime;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.ocomms.shared.config.OcommsConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Builds the Hazelcast configuration of a node: TCP-IP member list by default, Kubernetes discovery on request. */
public final class HazelcastSettings {
  public static final String CLUSTER_NAME = "ocomms";

  private HazelcastSettings() {
  }

  public static Config create(OcommsConfig config) {
    // Starts from Vert.x's default-cluster.xml: it sizes the maps the event bus keeps its subscriptions in.
    Config hazelcast = ConfigUtil.loadConfig();
    hazelcast.setClusterName(CLUSTER_NAME);
    hazelcast.setProperty("hazelcast.logging.type", "slf4j");
    hazelcast.setProperty("hazelcast.phone.home.enabled", "false");
    hazelcast.setProperty("hazelcast.wait.seconds.before.join", "0");
    // Our shutdown leaves the cluster itself, after the verticles have stopped.
    hazelcast.setProperty("hazelcast.shutdownhook.enabled", "false");
    // A dead member is noticed in seconds, not the default minute, so that failover is quick.
    hazelcast.setProperty("hazelcast.heartbeat.interval.seconds", "2");
    hazelcast.setProperty("hazelcast.max.no.heartbeat.seconds", "15");

    NetworkConfig network = hazelcast.getNetworkConfig();
    network.setPort(config.clusterPort()).setPortAutoIncrement(false);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);

    if ("kubernetes".equals(config.clusterDiscovery())) {
      var kubernetes = join.getKubernetesConfig().setEnabled(true);
      config.clusterK8sService().ifPresent(service -> kubernetes.setProperty("service-name", service));
      config.clusterK8sNamespace().ifPresent(namespace -> kubernetes.setProperty("namespace", namespace));
    } else {
      // Listens on the cluster host's interface only, never on every interface (Hazelcast's default): the members
      // reach each other there, and it is the one port to firewall (docs/operations.md).
      hazelcast.setProperty("hazelcast.local.localAddress", config.clusterHost());
      hazelcast.setProperty("hazelcast.socket.bind.any", "false");
      network.getInterfaces().setEnabled(true).setInterfaces(List.of(address(config.clusterHost())));
      List<String> members = new ArrayList<>(config.clusterMembers());
      String self = config.clusterHost() + ":" + config.clusterPort();
      if (!members.contains(self)) {
        members.add(self);
      }
      join.getTcpIpConfig().setEnabled(true).setMembers(members);
    }
    return hazelcast;
  }

  /** The IP address of the cluster host, as Hazelcast's interfaces want it (a name is resolved, at start). */
  private static String address(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("OCOMMS_CLUSTER_HOST " + host + " does not resolve", e);
    }
  }
}
