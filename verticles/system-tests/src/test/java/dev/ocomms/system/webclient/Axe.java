package dev.ocomms.system.webclient;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * axe-core (vendored for the tests only: src/test/resources/axe.min.js, MPL-2.0) run in a page: its violations of
 * impact serious or critical, one line each with the elements it names. Shared by the accessibility checks.
 */
final class Axe {
  private static final String SOURCE = source();
  private static final String RUN = """
      return axe.run(document, { resultTypes: ['violations'] }).then(results => JSON.stringify(results.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({ id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 6).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\\s+/g, ' ')) }))));
      """;

  private Axe() {
  }

  private static String source() {
    try (InputStream in = Axe.class.getResourceAsStream("/axe.min.js")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The serious and critical violations in what the browser shows now, each line starting with {@code where}. */
  static List<String> violations(Browser browser, String where) {
    if (!Boolean.TRUE.equals(browser.script("return typeof window.axe === 'object';"))) {
      browser.script(SOURCE + "\n;window.axe = window.axe || axe;");
    }
    JsonArray violations = new JsonArray((String) browser.script(RUN));
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < violations.size(); i++) {
      JsonObject v = violations.getJsonObject(i);
      lines.add(where + ": [" + v.getString("impact") + "] " + v.getString("id") + " — " + v.getString("help")
          + "\n    " + String.join("\n    ", v.getJsonArray("nodes").getList()));
    }
    return lines;
  }
}
