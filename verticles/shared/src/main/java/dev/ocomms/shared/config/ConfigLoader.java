package dev.ocomms.shared.config;

import io.reactivex.rxjava3.core.Single;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.config.ConfigRetriever;
import io.vertx.rxjava3.core.Vertx;

import java.util.HashMap;
import java.util.Map;

/**
 * Loads the configuration the one way OComms does: the JSON file (by default {@code conf/ocomms.json}, found on disk
 * or, when absent there, on the class path), overridden by {@code OCOMMS_*} environment variables.
 */
public final class ConfigLoader {
  public static final String DEFAULT_FILE = "conf/ocomms.json";

  private ConfigLoader() {
  }

  public static Single<OcommsConfig> load(Vertx vertx, String file) {
    Single<JsonObject> fileValues = retrieve(vertx, new ConfigStoreOptions()
        .setType("file").setFormat("json").setConfig(new JsonObject().put("path", file)));
    Single<JsonObject> environment = retrieve(vertx, new ConfigStoreOptions()
        .setType("env").setConfig(new JsonObject().put("raw-data", true)));
    return Single.zip(fileValues, environment, (values, env) -> OcommsConfig.parse(values, asStrings(env)));
  }

  private static Single<JsonObject> retrieve(Vertx vertx, ConfigStoreOptions store) {
    ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions().addStore(store).setScanPeriod(0));
    return retriever.rxGetConfig().doFinally(retriever::close);
  }

  private static Map<String, String> asStrings(JsonObject env) {
    Map<String, String> strings = new HashMap<>();
    env.forEach(entry -> strings.put(entry.getKey(), String.valueOf(entry.getValue())));
    return strings;
  }
}
