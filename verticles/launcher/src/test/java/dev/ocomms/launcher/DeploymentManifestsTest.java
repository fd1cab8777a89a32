package dev.ocomms.launcher;

import dev.ocomms.gateway.ops.OpsEndpoints;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Setting;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.ext.web.Route;
import io.vertx.rxjava3.ext.web.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The deployment files (docker/, k8s/) agree with the code: they parse, say what a cluster needs, and name only the
 * settings, ports and paths OComms has. Read from the repository; nothing is started but a Vert.x instance to ask the
 * gateway's routers which paths they serve.
 */
class DeploymentManifestsTest {
  private static final Pattern OCOMMS_VARIABLE = Pattern.compile("\\bOCOMMS_[A-Z0-9_]+\\b");
  private static final Map<String, String> POD_LABELS = Map.of("app", "ocomms");

  private static Path root;
  private static List<Map<String, Object>> kubernetes;
  private static Map<String, Object> compose;
  private static OcommsConfig defaults;
  private static Vertx vertx;

  @BeforeAll
  static void read() throws IOException {
    root = repositoryRoot();
    kubernetes = new ArrayList<>();
    for (Path file : kubernetesFiles()) {
      for (Object document : yaml().loadAll(Files.readString(file))) {
        if (document != null) {
          kubernetes.add(map(document));
        }
      }
    }
    compose = map(yaml().load(Files.readString(root.resolve("docker/compose.yaml"))));
    defaults = OcommsConfig.parse(new JsonObject(Files.readString(root.resolve("conf/ocomms.json"))), Map.of());
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() {
    vertx.close().blockingAwait();
  }

  // --- Kubernetes ---

  @Test
  void everyKubernetesDocumentHasAnApiVersionAKindAndAName() {
    assertThat(kubernetes).isNotEmpty().allSatisfy(document -> {
      assertThat(document.get("apiVersion")).as("apiVersion of %s", document).isInstanceOf(String.class);
      assertThat(document.get("kind")).as("kind of %s", document).isInstanceOf(String.class);
      assertThat(at(document, "metadata", "name")).as("name of %s", document).isInstanceOf(String.class);
    });
  }

  @Test
  void theDeploymentRunsThreeReplicas() {
    assertThat(at(one("Deployment"), "spec", "replicas")).isEqualTo(3);
  }

  @Test
  void theDeploymentSelectsThePodsItsTemplateLabels() {
    Map<String, Object> deployment = one("Deployment");
    assertThat(at(deployment, "spec", "selector", "matchLabels")).isEqualTo(POD_LABELS);
    assertThat(at(deployment, "spec", "template", "metadata", "labels")).isEqualTo(POD_LABELS);
  }

  @Test
  void readinessAsksReadyOnThePublicPort() {
    Map<String, Object> probe = map(container().get("readinessProbe"));
    assertThat(at(probe, "httpGet", "path")).isEqualTo("/ready");
    assertThat(containerPort(at(probe, "httpGet", "port"))).isEqualTo(configured(Setting.HTTP_PORT));
  }

  @Test
  void livenessAsksHealthOnThePublicPort() {
    Map<String, Object> probe = map(container().get("livenessProbe"));
    assertThat(at(probe, "httpGet", "path")).isEqualTo("/health");
    assertThat(containerPort(at(probe, "httpGet", "port"))).isEqualTo(configured(Setting.HTTP_PORT));
  }

  @Test
  void theProbedPathsAreServedOnThePublicPort() {
    Set<String> probed = Stream.of("startupProbe", "readinessProbe", "livenessProbe")
        .map(name -> map(container().get(name)))
        .map(probe -> (String) at(probe, "httpGet", "path"))
        .collect(Collectors.toSet());
    assertThat(publicPaths()).containsAll(probed);
  }

  @Test
  void theContainerPortsAreThePortsTheConfigMapConfigures() {
    assertThat(containerPort("http")).isEqualTo(configured(Setting.HTTP_PORT));
    assertThat(containerPort("ops")).isEqualTo(configured(Setting.OPS_PORT));
    assertThat(containerPort("hazelcast")).isEqualTo(configured(Setting.CLUSTER_PORT));
    assertThat(containerPort("uploads")).isEqualTo(configured(Setting.UPLOADS_PORT));
  }

  @Test
  void theConfigMapKeepsTheCodesDefaultPorts() {
    assertThat(configured(Setting.HTTP_PORT)).isEqualTo(defaults.httpPort());
    assertThat(configured(Setting.OPS_PORT)).isEqualTo(defaults.opsPort());
    assertThat(configured(Setting.CLUSTER_PORT)).isEqualTo(defaults.clusterPort());
    assertThat(configured(Setting.UPLOADS_PORT)).isEqualTo(defaults.uploadsPort());
  }

  @Test
  void theConfigMapAndSecretMakeAValidConfiguration() {
    Map<String, String> environment = new HashMap<>();
    environment.putAll(strings(at(one("ConfigMap"), "data")));
    environment.putAll(strings(at(one("Secret"), "stringData")));
    environment.put(Setting.CLUSTER_HOST.envName(), "10.1.2.3");
    environment.put(Setting.CLUSTER_K8S_NAMESPACE.envName(), "default");

    assertThatCode(() -> OcommsConfig.parse(defaultsFile(), environment)).doesNotThrowAnyException();
  }

  @Test
  void theNodesDiscoverEachOtherThroughTheHeadlessService() {
    Map<String, Object> service = named("Service", configMap().get(Setting.CLUSTER_K8S_SERVICE.envName()));
    assertThat(configMap().get(Setting.CLUSTER_DISCOVERY.envName())).isEqualTo("kubernetes");
    assertThat(at(service, "spec", "clusterIP")).isEqualTo("None");
    assertThat(at(service, "spec", "selector")).isEqualTo(POD_LABELS);
    assertThat(list(at(service, "spec", "ports"))).extracting(port -> map(port).get("port"))
        .containsExactly(configured(Setting.CLUSTER_PORT));
  }

  @Test
  void thePodsMayReadTheEndpointsHazelcastDiscovers() {
    Map<String, Object> role = one("Role");
    Map<String, Object> binding = one("RoleBinding");
    assertThat(list(role.get("rules"))).anySatisfy(rule -> {
      assertThat(list(map(rule).get("resources"))).contains("endpoints");
      assertThat(list(map(rule).get("verbs"))).contains("get", "list");
    });
    assertThat(at(binding, "roleRef", "name")).isEqualTo(at(role, "metadata", "name"));
    assertThat(list(binding.get("subjects"))).extracting(subject -> map(subject).get("name"))
        .containsExactly(at(one("Deployment"), "spec", "template", "spec", "serviceAccountName"));
  }

  @Test
  void everyContainerHasCpuAndMemoryRequestsAndAMemoryLimit() {
    Map<String, Object> resources = map(container().get("resources"));
    assertThat(map(resources.get("requests"))).containsKeys("cpu", "memory");
    assertThat(map(resources.get("limits"))).containsKey("memory");
  }

  @Test
  void aStoppingPodIsGivenLongerThanThePreStopAndTheNodesWholeStop() {
    List<Object> preStop = list(at(container(), "lifecycle", "preStop", "exec", "command"));
    assertThat(preStop).hasSize(2).first().isEqualTo("sleep");
    int preStopSeconds = Integer.parseInt(String.valueOf(preStop.get(1)));
    int grace = configured(Setting.SHUTDOWN_GRACE_SECONDS);
    // The launcher gives up on a stop after (verticles + 1) x grace + 15 s (OcommsServer.stop).
    int longestStop = (OcommsConfig.VERTICLE_NAMES.size() + 1) * grace + 15;

    assertThat((Integer) at(one("Deployment"), "spec", "template", "spec", "terminationGracePeriodSeconds"))
        .isGreaterThan(preStopSeconds + longestStop);
  }

  @Test
  void theDisruptionBudgetLetsOnePodGoAtATime() {
    Map<String, Object> budget = one("PodDisruptionBudget");
    assertThat(at(budget, "spec", "selector", "matchLabels")).isEqualTo(POD_LABELS);
    assertThat(at(budget, "spec", "maxUnavailable")).isEqualTo(1);
  }

  @Test
  void theAutoscalerScalesTheDeploymentFromItsReplicaCount() {
    Map<String, Object> autoscaler = one("HorizontalPodAutoscaler");
    assertThat(at(autoscaler, "spec", "scaleTargetRef", "kind")).isEqualTo("Deployment");
    assertThat(at(autoscaler, "spec", "scaleTargetRef", "name")).isEqualTo(at(one("Deployment"), "metadata", "name"));
    assertThat((Integer) at(autoscaler, "spec", "minReplicas")).isEqualTo(at(one("Deployment"), "spec", "replicas"));
    assertThat((Integer) at(autoscaler, "spec", "maxReplicas")).isGreaterThan((Integer) at(autoscaler, "spec",
        "minReplicas"));
  }

  @Test
  void theIngressKeepsWebSocketsOpenAndBrowsersOnOnePod() {
    Map<String, Object> annotations = map(at(one("Ingress"), "metadata", "annotations"));
    assertThat(annotations).containsEntry("nginx.ingress.kubernetes.io/affinity", "cookie");
    // Longer than the 75 s the nodes keep an idle connection, so the proxy never cuts a quiet WebSocket first.
    assertThat(Integer.parseInt((String) annotations.get("nginx.ingress.kubernetes.io/proxy-read-timeout")))
        .isGreaterThan(defaults.httpIdleTimeoutSeconds());
    assertThat(Integer.parseInt((String) annotations.get("nginx.ingress.kubernetes.io/proxy-send-timeout")))
        .isGreaterThan(defaults.httpIdleTimeoutSeconds());
  }

  @Test
  void onlyOcommsPodsReachTheClusterPorts() {
    List<Map<String, Object>> rules = networkPolicyRules();
    Set<Integer> clusterOnly = Set.of(configured(Setting.CLUSTER_PORT), configured(Setting.UPLOADS_PORT));

    assertThat(rules).filteredOn(rule -> !fromOcommsPodsOnly(rule)).allSatisfy(rule ->
        // A rule without ports admits every port, the event bus's (picked at start) among them.
        assertThat(list(rule.get("ports"))).as("ports of %s", rule).isNotEmpty()
            .extracting(port -> map(port).get("port")).doesNotContainAnyElementsOf(clusterOnly));
    assertThat(rules).filteredOn(DeploymentManifestsTest::fromOcommsPodsOnly).singleElement()
        .satisfies(rule -> assertThat(rule.get("ports")).as("every port, the event bus's too").isNull());
  }

  @Test
  void theNetworkPolicyAdmitsClientsOnThePublicPortAndMonitoringOnTheOperatorsPort() {
    Map<String, Object> policy = one("NetworkPolicy");
    assertThat(at(policy, "spec", "podSelector", "matchLabels")).isEqualTo(POD_LABELS);
    assertThat(networkPolicyRules()).flatExtracting(rule -> list(rule.get("ports") == null ? List.of()
            : rule.get("ports"))).extracting(port -> map(port).get("port"))
        .containsExactlyInAnyOrder(configured(Setting.HTTP_PORT), configured(Setting.OPS_PORT));
  }

  @Test
  void prometheusScrapesThePodsOnTheOperatorsPort() {
    Map<String, Object> annotations = map(at(one("Deployment"), "spec", "template", "metadata", "annotations"));
    assertThat(Integer.parseInt((String) annotations.get("prometheus.io/port"))).isEqualTo(containerPort("ops"));
    assertThat(operatorPaths()).contains((String) annotations.get("prometheus.io/path"));
  }

  // --- docker ---

  @Test
  void composeRunsTheStoresAProxyMonitoringAndThreeNodes() {
    assertThat(map(compose.get("services")))
        .containsKeys("postgres", "redis", "minio", "proxy", "prometheus", "grafana", "node1", "node2", "node3");
  }

  @Test
  void theComposeNodesAreOneClusterOfDistinctHosts() {
    List<Map<String, String>> nodes = composeNodes();
    List<String> hosts = nodes.stream().map(env -> env.get(Setting.CLUSTER_HOST.envName())).toList();
    int port = defaults.clusterPort();

    assertThat(hosts).hasSize(3).doesNotHaveDuplicates().doesNotContainNull();
    assertThat(nodes).allSatisfy(env -> assertThat(env.get(Setting.CLUSTER_MEMBERS.envName()).split(","))
        .containsExactlyInAnyOrderElementsOf(hosts.stream().map(host -> host + ":" + port).toList()));
  }

  @Test
  void theComposeNodesHaveAValidConfigurationWithTheExampleEnvironment() throws IOException {
    Map<String, String> example = dotEnv(root.resolve("docker/.env.example"));
    for (Map<String, String> node : composeNodes()) {
      Map<String, String> environment = new HashMap<>();
      node.forEach((name, value) -> environment.put(name, interpolate(value, example)));

      assertThatCode(() -> OcommsConfig.parse(defaultsFile(), environment)).as("%s", environment.keySet())
          .doesNotThrowAnyException();
    }
  }

  @Test
  void prometheusScrapesEveryComposeNodeOnTheOperatorsPortAtAPathItServes() throws IOException {
    Map<String, Object> config = map(yaml().load(Files.readString(root.resolve("docker/prometheus/prometheus.yml"))));
    Map<String, Object> job = map(list(config.get("scrape_configs")).get(0));
    List<Object> targets = list(map(list(job.get("static_configs")).get(0)).get("targets"));

    assertThat(operatorPaths()).contains((String) job.get("metrics_path"));
    assertThat(targets).containsExactlyInAnyOrderElementsOf(composeNodes().stream()
        .map(env -> env.get(Setting.CLUSTER_HOST.envName()) + ":" + defaults.opsPort()).toList());
  }

  /** The {@code ocomms_*} series the Grafana dashboard queries. */
  private static Set<String> dashboardMeters() throws IOException {
    Set<String> named = new TreeSet<>();
    Matcher matcher = Pattern.compile("\\bocomms_[a-z0-9_]+")
        .matcher(Files.readString(root.resolve("docker/grafana/dashboards/ocomms.json")));
    while (matcher.find()) {
      named.add(matcher.group());
    }
    return named;
  }

  @Test
  void theDashboardQueriesOnlyMetersTheCodeRegisters() throws IOException {
    // Every meter of ours is registered by a builder (or registry.counter) with a literal "ocomms.*" name; Prometheus
    // names it with underscores, counters with _total, timers in _seconds (with _count, _sum and _max).
    Pattern registration = Pattern.compile("(?:Counter|Gauge|Timer)\\.builder\\(\\s*\"(ocomms\\.[a-z0-9.]+)\"|"
        + "\\.counter\\(\"(ocomms\\.[a-z0-9.]+)\"");
    Set<String> series = new TreeSet<>();
    try (var files = Files.walk(root.resolve("verticles"))) {
      for (Path file : files.filter(path -> path.toString().endsWith(".java")
          && path.toString().contains("/src/main/java/")).toList()) {
        Matcher matcher = registration.matcher(Files.readString(file));
        while (matcher.find()) {
          String base = (matcher.group(1) != null ? matcher.group(1) : matcher.group(2)).replace('.', '_');
          series.addAll(List.of(base, base + "_total", base + "_seconds", base + "_seconds_count",
              base + "_seconds_sum", base + "_seconds_max"));
        }
      }
    }

    assertThat(dashboardMeters()).isNotEmpty().allSatisfy(name ->
        assertThat(series).as("%s, queried by the dashboard, is a meter the code registers", name).contains(name));
  }

  @Test
  void everyMeterTheDashboardShowsIsDescribedInTheOperationsGuide() throws IOException {
    String guide = Files.readString(root.resolve("docs/operations.md"));

    assertThat(dashboardMeters()).allSatisfy(name ->
        assertThat(guide).as("docs/operations.md describes %s", name).contains("`" + name));
  }

  @Test
  void everyOcommsVariableTheDeploymentFilesNameIsASetting() throws IOException {
    List<Path> files = new ArrayList<>(kubernetesFiles());
    files.addAll(List.of(root.resolve("docker/compose.yaml"), root.resolve("docker/.env.example"),
        root.resolve("docker/Dockerfile")));
    Set<String> named = new TreeSet<>();
    for (Path file : files) {
      Matcher matcher = OCOMMS_VARIABLE.matcher(Files.readString(file));
      while (matcher.find()) {
        named.add(matcher.group());
      }
    }

    assertThat(named).isNotEmpty().allSatisfy(name ->
        assertThat(Setting.byEnvName(name)).as("%s is a setting (Setting.java)", name).isPresent());
  }

  @Test
  void theDockerHealthCheckAsksAPathServedOnThePublicPort() throws IOException {
    Matcher healthCheck = Pattern.compile("(?s)HEALTHCHECK.*?CMD.*?http://127\\.0\\.0\\.1:\\$\\{OCOMMS_HTTP_PORT}(/\\S*?)\"")
        .matcher(dockerfile());
    assertThat(healthCheck.find()).as("a HEALTHCHECK asking http://127.0.0.1:${OCOMMS_HTTP_PORT}/...").isTrue();

    assertThat(healthCheck.group(1)).isEqualTo("/health").isIn(publicPaths());
  }

  @Test
  void theImageSetsTheDefaultPorts() throws IOException {
    String dockerfile = dockerfile();
    assertThat(dockerfile).contains(Setting.HTTP_PORT.envName() + "=" + defaults.httpPort(),
        Setting.OPS_PORT.envName() + "=" + defaults.opsPort(),
        Setting.CLUSTER_PORT.envName() + "=" + defaults.clusterPort(),
        Setting.UPLOADS_PORT.envName() + "=" + defaults.uploadsPort());
  }

  @Test
  void theImageOpensTheJdkInternalsTheBuildOpens() throws IOException {
    Matcher property = Pattern.compile("<ocomms.jvm.opens>(.*?)</ocomms.jvm.opens>")
        .matcher(Files.readString(root.resolve("pom.xml")));
    assertThat(property.find()).isTrue();
    String dockerfile = dockerfile().replaceAll("\\\\\\n", " ").replaceAll("\\s+", " ");

    assertThat(dockerfile).contains(property.group(1).split(" (?=--)"));
  }

  @Test
  void theImageBuildCopiesEveryModulesPomBeforeTheSources() throws IOException {
    Matcher module = Pattern.compile("<module>(.*?)</module>").matcher(Files.readString(root.resolve("pom.xml")));
    String dockerfile = dockerfile();
    int sources = dockerfile.indexOf("COPY verticles verticles");
    assertThat(sources).isPositive();
    while (module.find()) {
      String copy = "COPY " + module.group(1) + "/pom.xml " + module.group(1) + "/";
      assertThat(dockerfile.indexOf(copy)).as(copy).isBetween(0, sources);
    }
  }

  // --- what the code serves ---

  /** The paths the gateway serves on the public port: its probes (the web client and API aside). */
  private static Set<String> publicPaths() {
    Router router = Router.router(vertx);
    new OpsEndpoints(vertx, null, null).mountProbes(router);
    return router.getRoutes().stream().map(Route::getPath).filter(Objects::nonNull).collect(Collectors.toSet());
  }

  /** The paths the gateway serves on the operators' port. */
  private static Set<String> operatorPaths() {
    Router router = Router.router(vertx);
    new OpsEndpoints(vertx, null, null).mountAll(router);
    return router.getRoutes().stream().map(Route::getPath).filter(Objects::nonNull).collect(Collectors.toSet());
  }

  // --- reading the files ---

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("k8s"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("a parent directory holding k8s/").isNotNull();
    return dir;
  }

  private static List<Path> kubernetesFiles() throws IOException {
    try (Stream<Path> files = Files.list(root.resolve("k8s"))) {
      List<Path> yaml = files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted()
          .toList();
      assertThat(yaml).isNotEmpty();
      return yaml;
    }
  }

  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    return new Yaml(options);
  }

  private static JsonObject defaultsFile() throws IOException {
    return new JsonObject(Files.readString(root.resolve("conf/ocomms.json")));
  }

  private static String dockerfile() throws IOException {
    return Files.readString(root.resolve("docker/Dockerfile"));
  }

  private static Map<String, Object> one(String kind) {
    List<Map<String, Object>> found = kubernetes.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    assertThat(found).as("one %s", kind).hasSize(1);
    return found.get(0);
  }

  private static Map<String, Object> named(String kind, String name) {
    return kubernetes.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(at(d, "metadata", "name")))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
  }

  private static Map<String, Object> container() {
    List<Object> containers = list(at(one("Deployment"), "spec", "template", "spec", "containers"));
    assertThat(containers).hasSize(1);
    return map(containers.get(0));
  }

  private static Map<String, String> configMap() {
    return strings(at(one("ConfigMap"), "data"));
  }

  /** A setting's value in the ConfigMap, as the node reads it. */
  private static int configured(Setting setting) {
    String value = configMap().get(setting.envName());
    assertThat(value).as("%s in the ConfigMap", setting.envName()).isNotNull();
    return Integer.parseInt(value);
  }

  /** A container port, by its name or number. */
  private static int containerPort(Object nameOrNumber) {
    if (nameOrNumber instanceof Integer number) {
      return number;
    }
    return list(container().get("ports")).stream().map(DeploymentManifestsTest::map)
        .filter(port -> nameOrNumber.equals(port.get("name"))).map(port -> (Integer) port.get("containerPort"))
        .findFirst().orElseThrow(() -> new AssertionError("no container port named " + nameOrNumber));
  }

  private static List<Map<String, Object>> networkPolicyRules() {
    return list(at(one("NetworkPolicy"), "spec", "ingress")).stream().map(DeploymentManifestsTest::map).toList();
  }

  /** A rule whose every peer is an OComms pod (by the pods' labels, in the policy's namespace). */
  private static boolean fromOcommsPodsOnly(Map<String, Object> rule) {
    List<Object> from = rule.get("from") == null ? List.of() : list(rule.get("from"));
    return !from.isEmpty() && from.stream().map(DeploymentManifestsTest::map).allMatch(peer ->
        peer.keySet().equals(Set.of("podSelector")) && POD_LABELS.equals(at(peer, "podSelector", "matchLabels")));
  }

  /** Each compose node's environment (merge keys resolved), as written, before interpolation. */
  private static List<Map<String, String>> composeNodes() {
    Map<String, Object> services = map(compose.get("services"));
    return services.keySet().stream().filter(name -> name.matches("node\\d+")).sorted()
        .map(name -> strings(map(services.get(name)).get("environment"))).toList();
  }

  private static Map<String, String> dotEnv(Path file) throws IOException {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        int equals = line.indexOf('=');
        values.put(line.substring(0, equals).trim(), line.substring(equals + 1).trim());
      }
    }
    return values;
  }

  /**
   * Compose's interpolation of {@code ${NAME}}, {@code ${NAME:-default}} and {@code ${NAME:?message}}; a variable
   * the example leaves empty (a password to choose) stands for a URL-safe value.
   */
  private static String interpolate(String value, Map<String, String> example) {
    Matcher variable = Pattern.compile("\\$\\{([A-Z0-9_]+)(?:(:-|:\\?)([^}]*))?}").matcher(value);
    StringBuilder result = new StringBuilder();
    while (variable.find()) {
      String name = variable.group(1);
      String given = example.get(name);
      String replacement;
      if (given != null && !given.isEmpty()) {
        replacement = given;
      } else if (":-".equals(variable.group(2))) {
        replacement = variable.group(3);
      } else {
        assertThat(example).as("docker/.env.example lists %s", name).containsKey(name);
        replacement = "chosen-" + name.toLowerCase();
      }
      variable.appendReplacement(result, Matcher.quoteReplacement(replacement));
    }
    variable.appendTail(result);
    return result.toString();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value) {
    assertThat(value).isInstanceOf(List.class);
    return (List<Object>) value;
  }

  private static Map<String, String> strings(Object value) {
    Map<String, String> strings = new LinkedHashMap<>();
    map(value).forEach((key, item) -> strings.put(key, item == null ? "" : String.valueOf(item)));
    return strings;
  }

  private static Object at(Map<String, Object> document, String... path) {
    Object current = document;
    for (String key : path) {
      if (!(current instanceof Map<?, ?> node)) {
        return null;
      }
      current = node.get(key);
    }
    return current;
  }
}
