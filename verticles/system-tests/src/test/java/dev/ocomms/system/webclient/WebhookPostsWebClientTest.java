package dev.ocomms.system.webclient;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.integrations.IntegrationsVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A webhook's post in real headless Chromium: the Alertmanager fixture (verticles/integrations' test resources),
 * posted to the webhook's URL, shows with its "via" tag, its color bar, its title link and its fields grid. Skipped,
 * loudly, where no Chromium is installed, as {@link WebClientTest} is.
 */
@DisplayName("Webhook posts in Chromium")
class WebhookPostsWebClientTest {
  private static final Path ALERTMANAGER = Path.of("..", "integrations", "src", "test", "resources", "fixtures",
      "alertmanager.json");
  private static TestSystem server;
  private Browser browser;

  @BeforeAll
  static void startServer() {
    if (!Browser.available()) {
      System.err.println("SKIPPING the webhook posts' end-to-end test: no Chromium at " + Browser.CHROMIUM
          + " or no chromedriver at " + Browser.CHROMEDRIVER);
      return;
    }
    server = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(IntegrationsVerticle::new)
        .deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .start();
  }

  @BeforeEach
  void needsChromium() {
    assumeTrue(Browser.available(), "SKIPPED: Chromium and chromedriver are not installed");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  @DisplayName("an Alertmanager post renders with its via tag, red color bar, title link and three fields")
  void alertmanagerRenders() throws IOException {
    Account alice = server.register("Alice");
    String workspaceId = server.workspace(alice, List.of());
    String general = server.expect(200, HttpMethod.GET, "/workspaces", alice.token(), null)
        .getJsonArray("workspaces").stream().map(JsonObject.class::cast)
        .filter(workspace -> workspace.getString("id").equals(workspaceId)).findFirst().orElseThrow()
        .getString("generalChatId");
    String url = server.expect(201, HttpMethod.POST, "/chats/" + general + "/webhooks", alice.token(),
        new JsonObject().put("name", "Alerts")).getString("url");
    browser = Browser.open(server.baseUrl(), "Alice");
    browser.signInWith(alice);
    browser.openChat("general");
    browser.awaitConnected();

    int status = server.request(HttpMethod.POST, url).putHeader("Content-Type", "application/json")
        .rxSendBuffer(io.vertx.core.buffer.Buffer.buffer(Files.readAllBytes(ALERTMANAGER)))
        .timeout(TestSystem.WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet().statusCode();
    assertThat(status).isEqualTo(200);

    WebElement attachment = browser.waitFor(By.cssSelector(".message.via-webhook .rich-attachment"));
    WebElement message = browser.waitFor(By.cssSelector(".message.via-webhook"));
    assertThat(message.findElement(By.cssSelector(".sender")).getText()).isEqualTo("Alertmanager");
    assertThat(message.findElement(By.cssSelector(".via-tag")).getText()).isEqualTo("via Alerts");
    assertThat(browser.script("return getComputedStyle(arguments[0]).backgroundColor;",
        attachment.findElement(By.cssSelector(".rich-bar")))).isEqualTo("rgb(224, 30, 90)");
    WebElement title = attachment.findElement(By.cssSelector(".rich-title a"));
    assertThat(title.getText()).isEqualTo("[FIRING:2] HighRequestLatency api (prod critical)");
    assertThat(title.getAttribute("href"))
        .isEqualTo("http://alertmanager.example.com:9093/#/alerts?receiver=slack-critical");
    List<WebElement> fields = attachment.findElements(By.cssSelector(".rich-fields .rich-field"));
    assertThat(fields).hasSize(3);
    assertThat(fields.get(0).getText()).contains("severity").contains("critical");
    assertThat(fields.get(0).getAttribute("class")).contains("short");
    assertThat(fields.get(2).getAttribute("class")).doesNotContain("short");
    assertThat(fields.get(2).findElement(By.cssSelector("a")).getAttribute("href"))
        .isEqualTo("https://runbooks.example.com/HighRequestLatency");
    assertThat(fields.get(0).getLocation().getY()).as("two short fields side by side")
        .isEqualTo(fields.get(1).getLocation().getY());
    assertThat(attachment.findElement(By.cssSelector(".rich-text strong")).getText()).isEqualTo("Alert:");
    assertThat(attachment.findElement(By.cssSelector(".rich-footer")).getText()).startsWith("Prometheus Alertmanager");
  }
}
