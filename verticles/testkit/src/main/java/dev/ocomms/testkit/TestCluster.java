package dev.ocomms.testkit;

import dev.ocomms.runtime.FreePorts;
import dev.ocomms.runtime.NodeStarter;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Setting;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Observable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Verticle;
import io.vertx.rxjava3.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * Real clustered nodes in this JVM, joined over Hazelcast on loopback exactly as the launcher joins them. All nodes
 * share one database and one Redis database, as the nodes of one deployment do; each has its own ports and its own
 * local uploads directory. Close it to stop every node.
 */
public final class TestCluster implements AutoCloseable {
  private final List<OcommsConfig> configs;
  private final List<Vertx> nodes = new ArrayList<>();
  /** Each node's deployments in the order made, for the launcher's order of stopping. */
  private final Map<Integer, List<String>> deployments = new ConcurrentHashMap<>();

  private TestCluster(List<OcommsConfig> configs) {
    this.configs = configs;
  }

  /** Starts {@code size} nodes, one after another, each listing every member. Call from a test thread. */
  public static TestCluster start(int size) {
    return start(size, UnaryOperator.identity());
  }

  /** As {@link #start(int)}, with settings changed for every node (for example higher connection limits). */
  public static TestCluster start(int size, UnaryOperator<OcommsConfig> customize) {
    return start(size, customize, index -> UnaryOperator.identity());
  }

  /**
   * As {@link #start(int, UnaryOperator)}, with settings changed for one node or another as well (for example a
   * database of its own, so that it has another cluster CA).
   */
  public static TestCluster start(int size, UnaryOperator<OcommsConfig> customize,
      IntFunction<UnaryOperator<OcommsConfig>> customizeNode) {
    OcommsConfig base = customize.apply(TestConfigs.node());
    List<Integer> ports = IntStream.range(0, size).mapToObj(i -> FreePorts.next()).toList();
    String members = String.join(",", ports.stream().map(port -> "127.0.0.1:" + port).toList());
    List<OcommsConfig> each = ports.stream()
        .map(port -> base.with(Setting.CLUSTER_PORT, port)
            .with(Setting.CLUSTER_MEMBERS, members)
            .with(Setting.HTTP_PORT, FreePorts.next())
            .with(Setting.OPS_PORT, FreePorts.next())
            // Each node's uploads verticle listens on a port of its own and, like a machine of its own, has its own
            // disk: a file stored locally on one node cannot be read on another (that is what S3 is for).
            .with(Setting.UPLOADS_PORT, FreePorts.next())
            // The TCP bridge for bots (0 would turn it off): a free port of each node's own.
            .with(Setting.BOT_BRIDGE_PORT, FreePorts.next())
            .with(Setting.UPLOADS_DIR, UploadDirectories.next())
            // And a data directory of its own: nothing a node keeps there is seen by the others.
            .with(Setting.DATA_DIR, UploadDirectories.next()))
        .toList();
    List<OcommsConfig> configs = IntStream.range(0, size)
        .mapToObj(i -> customizeNode.apply(i).apply(each.get(i))).toList();
    TestCluster cluster = new TestCluster(configs);
    try {
      for (OcommsConfig config : configs) {
        cluster.nodes.add(NodeStarter.start(config).blockingGet());
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  public Vertx node(int index) {
    return nodes.get(index);
  }

  public OcommsConfig config(int index) {
    return configs.get(index);
  }

  public int size() {
    return nodes.size();
  }

  /** Deploys a verticle on one node with that node's configuration; waits until it has started. */
  public String deploy(int index, Supplier<? extends Verticle> verticle) {
    return deploy(index, verticle, 1);
  }

  /** Deploys {@code instances} instances of a verticle on one node, as the launcher does with one per core. */
  public String deploy(int index, Supplier<? extends Verticle> verticle, int instances) {
    String id = node(index).rxDeployVerticle(verticle,
            new DeploymentOptions().setConfig(config(index).toJson()).setInstances(instances))
        .blockingGet();
    deployments.computeIfAbsent(index, i -> new CopyOnWriteArrayList<>()).add(id);
    return id;
  }

  /** Undeploys one deployment of a node (as an operator stops one verticle); waits until it has stopped. */
  public void undeploy(int index, String deploymentId) {
    node(index).rxUndeploy(deploymentId).blockingAwait();
    List<String> ids = deployments.get(index);
    if (ids != null) {
      ids.remove(deploymentId);
    }
  }

  /** Closes one node abruptly as far as the others can tell: no undeploy hooks run first. */
  public void stopNode(int index) {
    deployments.remove(index);
    node(index).rxClose().blockingAwait();
  }

  /**
   * Stops one node as the launcher does on SIGTERM ({@link NodeStarter#stop}): the verticles deployed last (the
   * gateway) first, each draining what it has begun, then the node leaves the cluster.
   */
  public void shutDown(int index) {
    shutDownAsync(index).blockingAwait();
  }

  private Completable shutDownAsync(int index) {
    List<String> ids = deployments.remove(index);
    return NodeStarter.stop(node(index), ids == null ? List.of() : ids).onErrorComplete();
  }

  @Override
  public void close() {
    Observable.range(0, nodes.size())
        .concatMapCompletable(this::shutDownAsync)
        .andThen(Completable.fromAction(nodes::clear))
        .blockingAwait();
  }
}
