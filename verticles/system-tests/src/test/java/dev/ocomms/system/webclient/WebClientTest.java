package dev.ocomms.system.webclient;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.search.SearchVerticle;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The web client in real headless Chromium against the whole server, two people at a time: what they see live,
 * what survives a lost connection, what hostile content cannot do, and the keyboard. Skipped, loudly, where no
 * Chromium is installed ({@code .ci/run} installs it).
 */
@DisplayName("Web client in Chromium")
class WebClientTest {
  /** A long chat's messages, from 20 senders: the write limit (10 a second) is per sender. */
  private static final int LONG_HISTORY = 2_000;
  private static final int LONG_HISTORY_SENDERS = 20;
  private static final Duration SEEDING_LIMIT = Duration.ofSeconds(60);
  private static final Duration SCROLLING_LIMIT = Duration.ofSeconds(120);
  /** The page holds a window of a chat's messages, however long its history (issue #22). */
  private static final int MESSAGE_ROWS_AT_MOST = 400;

  private static TestSystem server;
  private final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    if (!Browser.available()) {
      System.err.println("""

          ************************************************************************************
          *  SKIPPING the web client's end-to-end tests: no Chromium at %s
          *  or no chromedriver at %s.
          *  Install them with: apt-get install -y chromium chromium-driver  (.ci/run does)
          ************************************************************************************
          """.formatted(Browser.CHROMIUM, Browser.CHROMEDRIVER));
    }
    if (Browser.available()) {
      server = TestSystem.builder()
          .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(PresenceVerticle::new)
          .deploy(SearchVerticle::new).deploy(GatewayVerticle::new)
          .withoutConnectionRateLimits()
          .start();
    }
  }

  /** Per test, so that each one is reported as skipped (a class-level assumption reports none). */
  @BeforeEach
  void needsChromium() {
    assumeTrue(Browser.available(), "SKIPPED: Chromium and chromedriver are not installed "
        + "(apt-get install -y chromium chromium-driver)");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void closeBrowsers() {
    browsers.forEach(Browser::close);
    browsers.clear();
  }

  private Browser browser(String name) {
    Browser browser = Browser.open(server.baseUrl(), name);
    browsers.add(browser);
    return browser;
  }

  // What a scenario starts from, made over REST

  /** A workspace named {@code name} of {@code owner} that the others joined by invite; its id. */
  private static String workspace(Account owner, String name, Account... members) {
    String workspaceId = server.expect(201, HttpMethod.POST, "/workspaces", owner.token(),
        new JsonObject().put("name", name)).getJsonObject("workspace").getString("id");
    String code = server.expect(201, HttpMethod.POST, "/workspaces/" + workspaceId + "/invites", owner.token(),
        new JsonObject()).getString("code");
    for (Account member : members) {
      server.expect(200, HttpMethod.POST, "/workspaces/join", member.token(), new JsonObject().put("code", code));
    }
    return workspaceId;
  }

  /** A public channel that everyone in {@code members} joined; its id. */
  private static String channel(Account creator, String workspaceId, String name, Account... members) {
    String chatId = server.channel(creator, workspaceId, name);
    for (Account member : members) {
      server.joinChat(member, chatId);
    }
    return chatId;
  }

  /** {@code count} messages from {@code sender}, within the limit of 10 per second. */
  private static void send(Account sender, String chatId, String prefix, int count) throws InterruptedException {
    for (int i = 0; i < count; i++) {
      if (i > 0 && i % 9 == 0) {
        Thread.sleep(1_000);
      }
      server.expect(201, HttpMethod.POST, "/chats/" + chatId + "/messages", sender.token(), new JsonObject()
          .put("clientId", UUID.randomUUID().toString()).put("content", prefix + " " + (i + 1)));
    }
  }

  /**
   * "m 1" .. "m {count}" in a chat, as fast as the write limit (10 messages a second per sender) allows: "m 1" first
   * and the last one last, so that they are the oldest and the newest; the others spread over {@code senders}, all
   * sending at once, each its share in order. A send refused as rate_limited goes again after the retryAfterMs it
   * names. The contents as stored, by seq.
   */
  private static NavigableMap<Long, String> seed(List<Account> senders, String chatId, int count) {
    NavigableMap<Long, String> stored = new TreeMap<>();
    Account first = senders.get(0);
    List<Flowable<JsonObject>> shares = IntStream.range(0, senders.size())
        .mapToObj(s -> Flowable.range(2, count - 2).filter(number -> number % senders.size() == s)
            .concatMapSingle(number -> sendRetrying(senders.get(s), chatId, number)))
        .toList();
    Flowable.concat(sendRetrying(first, chatId, 1).toFlowable(), Flowable.merge(shares),
            sendRetrying(first, chatId, count).toFlowable())
        .timeout(SEEDING_LIMIT.toMillis(), TimeUnit.MILLISECONDS)
        .blockingForEach(message -> stored.put(message.getLong("seq"), message.getString("content")));
    assertThat(stored).hasSize(count);
    return stored;
  }

  private static Single<JsonObject> sendRetrying(Account sender, String chatId, int number) {
    return sendRetrying(sender, chatId, "m " + number);
  }

  private static Single<JsonObject> sendRetrying(Account sender, String chatId, String content) {
    JsonObject message = new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", content);
    return sendRetrying(sender, chatId, message);
  }

  /** {@code "<prefix> 1"} .. {@code "<prefix> <count>"} in a chat, spread over the senders, all sending at once. */
  private static void burst(List<Account> senders, String chatId, String prefix, int count) {
    Flowable.range(1, count)
        .flatMapSingle(number -> sendRetrying(senders.get(number % senders.size()), chatId, prefix + " " + number),
            false, senders.size())
        .timeout(SEEDING_LIMIT.toMillis(), TimeUnit.MILLISECONDS)
        .blockingSubscribe();
  }

  /** The same clientId each time: a refused send stored nothing, and a resent one is stored once either way. */
  private static Single<JsonObject> sendRetrying(Account sender, String chatId, JsonObject message) {
    return Single.defer(() -> server.callAsync(0, HttpMethod.POST, "/chats/" + chatId + "/messages", sender.token(),
        message)).flatMap(response -> {
          if (response.statusCode() == 429) {
            long retryAfterMs = response.bodyAsJsonObject().getLong("retryAfterMs", 1_000L);
            return Single.timer(Math.max(1, retryAfterMs), TimeUnit.MILLISECONDS)
                .flatMap(ignored -> sendRetrying(sender, chatId, message));
          }
          assertThat(response.statusCode()).as("send: %s", response.bodyAsString()).isEqualTo(201);
          return Single.just(response.bodyAsJsonObject());
        });
  }

  /** The chat's newest messages (top-level), oldest first, as the server stores them. */
  private static JsonArray history(Account reader, String chatId) {
    JsonArray newestFirst = server.expect(200, HttpMethod.GET, "/chats/" + chatId + "/messages?limit=100",
        reader.token(), null).getJsonArray("messages");
    JsonArray oldestFirst = new JsonArray();
    for (int i = newestFirst.size() - 1; i >= 0; i--) {
      oldestFirst.add(newestFirst.getValue(i));
    }
    return oldestFirst;
  }

  /** Two people in a workspace of their own, each in a browser showing #general. */
  private record Pair(Account alice, Account bob, String workspaceId, Browser a, Browser b) {
  }

  private Pair pair() {
    Account alice = server.register("Alice");
    Account bob = server.register("Bob");
    String workspaceId = workspace(alice, "Team " + alice.username(), bob);
    Browser a = browser("Alice");
    a.signInWith(alice);
    Browser b = browser("Bob");
    b.signInWith(bob);
    a.openChat("general");
    b.openChat("general");
    a.awaitConnected();
    b.awaitConnected();
    return new Pair(alice, bob, workspaceId, a, b);
  }

  @Test
  void two_people_sign_up_join_by_invite_and_chat_live_with_sidebar_badges() {
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    Browser a = browser("Alice");
    a.signUp("alice." + suffix + "@example.org", "alice_" + suffix, "Alice Archer", TestSystem.PASSWORD);
    a.click(By.cssSelector(".rail-item.add"));
    a.type(By.id("ws-name"), "Acme " + suffix);
    a.click(By.xpath("//form[.//input[@id='ws-name']]//button[@type='submit']"));
    a.openChat("general");
    a.click(By.cssSelector("button[aria-label='Invite people']"));
    String code = a.until(d -> {
      // The dialog shows a link to share, and the code alone for the "Join with an invite code" form.
      List<WebElement> codes = d.findElements(By.cssSelector("code.invite-code"));
      return codes.isEmpty() || codes.get(0).getText().isBlank() ? null : codes.get(0).getText();
    }, "invite code");
    a.keys(Keys.ESCAPE);

    Browser b = browser("Bob");
    b.signUp("bob." + suffix + "@example.org", "bob_" + suffix, "Bob Baker", TestSystem.PASSWORD);
    b.click(By.cssSelector(".rail-item.add"));
    b.type(By.id("ws-code"), code);
    b.click(By.xpath("//form[.//input[@id='ws-code']]//button[@type='submit']"));
    b.openChat("general");
    a.awaitConnected();
    b.awaitConnected();

    a.send("Hello **Bob**, welcome to Acme!");
    WebElement shown = b.awaitMessage("Hello Bob, welcome to Acme!");
    assertThat(shown.findElement(By.cssSelector(".content strong")).getText()).isEqualTo("Bob");
    a.until(d -> !d.findElements(By.cssSelector(".message-list .message:not(.pending)")).isEmpty(), "ack");

    // Alice opens a DM with Bob; Bob, still in #general, sees it appear with an unread badge.
    a.click(By.cssSelector("button[aria-label='New direct message']"));
    a.click(By.xpath("//ul[@class='people-list']//label[contains(.,'Bob Baker')]"));
    a.click(By.xpath("//button[normalize-space()='Start conversation']"));
    a.until(d -> "Bob Baker".equals(a.activeChatTitle()), "DM open");
    a.send("psst, @bob_" + suffix + " — lunch?");
    b.until(d -> "1".equals(b.badge("Alice Archer")), "Bob's badge for the DM");
    assertThat(b.chatLink("Alice Archer").getDomAttribute("class")).contains("unread");
    b.until(d -> b.script("return document.title").toString().startsWith("(1)"), "title counts the unread");

    // Opening the DM reads it: the badge goes, and Alice sees her message read.
    b.openChat("Alice Archer");
    b.awaitMessage("psst, @bob_" + suffix + " — lunch?");
    b.until(d -> b.badge("Alice Archer").isEmpty(), "badge cleared");
    a.until(d -> !d.findElements(By.cssSelector(".read-mark.read")).isEmpty(), "read mark for Alice");

    b.send("Sure! :)");
    a.awaitMessage("Sure! :)");
    screenshots().save(a, "chat-light.png");
  }

  @Test
  @DisplayName("Messages in another channel are counted from the live events alone (2 unread, 1 mention), "
      + "and opening that channel clears its badge")
  void messages_in_another_channel_are_counted_by_the_client_and_cleared_by_opening_it() {
    Pair pair = pair();
    channel(pair.alice(), pair.workspaceId(), "random", pair.bob());
    Browser a = pair.a();
    Browser b = pair.b();
    a.chatLink("random");
    b.openChat("random");

    // Alice stays in #general; the server sends her no badge for these, her client counts them.
    b.send("anyone around?");
    b.send("@" + pair.alice().username() + " have a look when you can");
    b.until(d -> d.findElements(By.cssSelector(".message.pending")).isEmpty(), "Bob's messages acknowledged");
    a.until(d -> String.valueOf(a.chatLink("random").getDomAttribute("aria-label"))
        .endsWith(", 2 unread, 1 mentions"), "Alice's #random: 2 unread, 1 mention");
    WebElement badge = a.chatLink("random").findElement(By.cssSelector(".badge"));
    assertThat(badge.getDomAttribute("data-badge")).isEqualTo("mention");
    assertThat(badge.getText().trim()).isEqualTo("1");
    assertThat(a.chatLink("random").getDomAttribute("class")).contains("unread");
    assertThat(a.badge("general")).isEmpty();
    a.until(d -> a.script("return document.title").toString().startsWith("(1) "), "title counts the mention");
    a.screenshot(Path.of("target", "screenshots", "sidebar-unread-mention.png"));

    a.openChat("random");
    a.awaitMessage("@" + pair.alice().username() + " have a look when you can");
    a.until(d -> a.badge("random").isEmpty(), "badge cleared");
    assertThat(a.chatLink("random").getDomAttribute("class")).doesNotContain("unread");
    assertThat(a.chatLink("random").getDomAttribute("aria-label")).doesNotContain("unread");
    a.until(d -> !a.script("return document.title").toString().startsWith("("), "title without a count");
  }

  @Test
  void a_reader_scrolled_up_sees_the_new_messages_pill_instead_of_being_moved() throws InterruptedException {
    Account alice = server.register("Alice");
    Account bob = server.register("Bob");
    String workspaceId = workspace(alice, "Pill " + alice.username(), bob);
    String chatId = channel(alice, workspaceId, "history", bob);
    send(alice, chatId, "backlog", 40);
    Browser a = browser("Alice");
    a.signInWith(alice);
    Browser b = browser("Bob");
    b.signInWith(bob);
    a.openChat("history");
    b.openChat("history");
    b.awaitMessage("backlog 40");
    a.awaitConnected();

    b.script("document.querySelector('.message-list').scrollTop = 0;");
    b.until(d -> (Boolean) b.script("const l = document.querySelector('.message-list');"
        + " return l.scrollHeight - l.scrollTop - l.clientHeight > 200;"), "scrolled up");
    a.send("news from the bottom");
    b.awaitMessage("news from the bottom");
    WebElement pill = b.waitFor(By.cssSelector(".new-messages-pill"));
    assertThat((Boolean) b.script("const l = document.querySelector('.message-list');"
        + " return l.scrollHeight - l.scrollTop - l.clientHeight > 200;")).as("not moved to the bottom").isTrue();
    pill.click();
    b.until(d -> d.findElements(By.cssSelector(".new-messages-pill")).isEmpty(), "pill gone");
    assertThat((Boolean) b.script("const l = document.querySelector('.message-list');"
        + " return l.scrollHeight - l.scrollTop - l.clientHeight < 48;")).as("at the bottom").isTrue();

    // At the bottom, new messages scroll into view without a pill.
    a.send("and one more");
    b.awaitMessage("and one more");
    assertThat(b.driver().findElements(By.cssSelector(".new-messages-pill"))).isEmpty();
  }

  @Test
  @DisplayName("A chat of 2,000 messages scrolls to its beginning and back, in order, with at most 400 message rows "
      + "in the page at any time")
  void a_chat_with_two_thousand_messages_scrolls_to_its_beginning_and_back_with_a_bounded_page() {
    Account reader = server.register("Reader");
    List<Account> senders = server.register(LONG_HISTORY_SENDERS, 4);
    String workspaceId = workspace(reader, "Long " + reader.username(), senders.toArray(Account[]::new));
    String chatId = channel(reader, workspaceId, "long-history", senders.toArray(Account[]::new));
    long seeding = System.nanoTime();
    NavigableMap<Long, String> stored = seed(senders, chatId, LONG_HISTORY);
    System.out.printf("Seeded %d messages from %d senders in %.1f s%n", LONG_HISTORY, LONG_HISTORY_SENDERS,
        (System.nanoTime() - seeding) / 1e9);
    String oldest = "m 1";
    String newest = "m " + LONG_HISTORY;
    long deadline = System.nanoTime() + SCROLLING_LIMIT.toNanos();

    Browser b = browser("Reader");
    b.signInWith(reader);
    b.openChat("long-history");
    b.awaitConnected();
    Browser.MessageList list = b.until(d -> {
      Browser.MessageList now = b.messageList();
      return now.inView().contains(newest) ? now : null;
    }, "the newest message in view");
    assertBounded(list, stored, "on opening");

    // Up: each scroll to the top brings older messages in above, until the conversation's beginning.
    for (int step = 1; !(list.atBeginning() && list.texts().contains(oldest)); step++) {
      assertThat(System.nanoTime()).as("at the beginning within %s", SCROLLING_LIMIT).isLessThan(deadline);
      long firstSeq = list.firstSeq();
      b.script("document.querySelector('.message-list').scrollTop = 0;");
      list = b.until(d -> {
        Browser.MessageList now = b.messageList();
        return now.firstSeq() < firstSeq || now.atBeginning() && now.texts().contains(oldest) ? now : null;
      }, "messages older than seq " + firstSeq);
      assertBounded(list, stored, "after scrolling up " + step + " times");
    }
    assertThat(list.firstSeq()).as("the oldest message first").isEqualTo(stored.firstKey());

    // Down again to the newest, with the pill if the client offers it.
    for (int step = 1; !(list.inView().contains(newest) && list.fromBottom() < 48); step++) {
      assertThat(System.nanoTime()).as("back at the newest within %s", SCROLLING_LIMIT).isLessThan(deadline);
      long lastSeq = list.lastSeq();
      List<WebElement> pill = b.driver().findElements(By.cssSelector(".new-messages-pill"));
      if (pill.isEmpty()) {
        b.script("const l = document.querySelector('.message-list'); l.scrollTop = l.scrollHeight;");
      } else {
        pill.get(0).click();
      }
      list = b.until(d -> {
        Browser.MessageList now = b.messageList();
        return now.lastSeq() > lastSeq || now.inView().contains(newest) && now.fromBottom() < 48 ? now : null;
      }, "messages newer than seq " + lastSeq);
      assertBounded(list, stored, "after scrolling down " + step + " times");
    }
    assertThat(list.lastSeq()).as("the newest message last").isEqualTo(stored.lastKey());
  }

  /**
   * The page holds a window of the chat, not all of it, and shows it as stored: rows in increasing seq, each with
   * the text stored under its seq.
   */
  private static void assertBounded(Browser.MessageList list, NavigableMap<Long, String> stored, String when) {
    assertThat(list.rows()).as("message rows in the page %s", when).isLessThanOrEqualTo(MESSAGE_ROWS_AT_MOST);
    assertThat(list.seqs()).as("seqs %s", when).isSorted().doesNotHaveDuplicates();
    assertThat(list.texts()).as("texts %s", when).isEqualTo(list.seqs().stream().map(stored::get).toList());
  }

  @Test
  @DisplayName("Ctrl+F searches a word: results grouped by chat with the word marked; one far back in a chat of 342 "
      + "messages opens there, in view and in its context; Jump to present shows the newest")
  void a_search_result_far_back_opens_its_chat_at_the_message_and_jump_to_present_returns() {
    Account reader = server.register("Reader");
    List<Account> senders = server.register(4, 4);
    String workspaceId = workspace(reader, "Search " + reader.username(), senders.toArray(Account[]::new));
    String chatId = channel(reader, workspaceId, "archive", senders.toArray(Account[]::new));
    burst(senders, chatId, "early", 40);
    String wanted = "the zeppelin launch checklist, with <script>alert(1)</script> kept as text";
    sendRetrying(senders.get(0), chatId, wanted).blockingGet();
    burst(senders, chatId, "later", 300);
    String newest = "the newest one";
    sendRetrying(senders.get(1), chatId, newest).blockingGet();
    String outside = server.channel(senders.get(2), workspaceId, "outside");
    sendRetrying(senders.get(2), outside, "a zeppelin seen from outside").blockingGet();

    Browser b = browser("Reader");
    b.signInWith(reader);
    b.openChat("general");
    b.awaitConnected();
    b.send("zeppelin talk goes in #general too");
    b.until(d -> d.findElements(By.cssSelector(".message.pending")).isEmpty(), "sent");

    // Ctrl+F, a word, Enter: results grouped by chat, the word marked (searchable within a second of the ack).
    b.chord(Keys.CONTROL, "f");
    WebElement box = b.waitFor(By.cssSelector(".search-input"));
    b.until(d -> box.equals(d.switchTo().activeElement()), "the search box has the focus");
    box.sendKeys("zeppelin", Keys.ENTER);
    long[] askedAt = {System.nanoTime()};
    b.until(d -> {
      if (d.findElements(By.cssSelector(".search-group")).size() == 3) {
        return true;
      }
      if (System.nanoTime() - askedAt[0] > TimeUnit.MILLISECONDS.toNanos(500)
          && d.findElements(By.cssSelector(".search-status[role=status]")).stream()
              .noneMatch(status -> status.getText().startsWith("Searching"))) {
        askedAt[0] = System.nanoTime();
        box.sendKeys(Keys.ENTER); // not all indexed yet: again, twice a second at most (5 searches a second allowed)
      }
      return false;
    }, "results in #archive, #general and #outside");
    assertThat(b.driver().findElements(By.cssSelector(".search-group-title")).stream()
        .filter(title -> !title.findElements(By.cssSelector(".not-joined")).isEmpty()).map(WebElement::getText))
        .as("public channels the reader is not in are marked").containsExactly("#outside\nnot joined");
    List<WebElement> marks = b.driver().findElements(By.cssSelector(".search-result .search-snippet mark"));
    assertThat(marks).isNotEmpty().allSatisfy(mark -> assertThat(mark.getText()).isEqualToIgnoringCase("zeppelin"));
    WebElement result = b.driver().findElement(By.xpath("//section[contains(@class,'search-group')]"
        + "[.//h3[normalize-space()='#archive']]//button[@class='search-result']"));
    assertThat(result.getText()).contains("<script>alert(1)</script>");
    assertThat(b.script("return document.querySelectorAll('.search-results script, .search-results img').length"))
        .isEqualTo(0L);
    screenshots().save(b, "search-light.png");
    b.driver().manage().window().setSize(new Dimension(390, 844));
    b.screenshot(Path.of("target", "screenshots", "search-phone.png"));
    b.driver().manage().window().setSize(new Dimension(1280, 800));

    // The result opens #archive at that message: in the page, in view, with its neighbours; not at the newest.
    result.click();
    b.until(d -> "archive".equals(b.activeChatTitle()), "#archive open");
    b.until(d -> d.findElements(By.cssSelector(".search-panel")).isEmpty(), "search closed");
    Browser.MessageList list = b.until(d -> {
      Browser.MessageList now = b.messageList();
      return now.inView().contains(wanted) ? now : null;
    }, "the result in view");
    assertThat(list.texts()).doesNotContain(newest)
        .anyMatch(text -> text.startsWith("early ")).anyMatch(text -> text.startsWith("later "));
    assertThat(list.seqs()).isSorted().doesNotHaveDuplicates();
    assertThat(b.script("return document.querySelector('.message-list').dataset.present")).isEqualTo("false");

    // Jump to present: the newest messages, followed at the bottom.
    b.click(By.cssSelector(".jump-to-present"));
    list = b.until(d -> {
      Browser.MessageList now = b.messageList();
      return now.inView().contains(newest) && now.fromBottom() < 48 ? now : null;
    }, "the newest in view at the bottom");
    assertThat(list.texts()).doesNotContain(wanted);
    assertThat(b.script("return document.querySelector('.message-list').dataset.present")).isEqualTo("true");
    assertThat(b.driver().findElements(By.cssSelector(".jump-to-present"))).isEmpty();

    // Live again: a new message joins at the bottom.
    sendRetrying(senders.get(2), chatId, "after the jump").blockingGet();
    b.awaitMessage("after the jump");
  }

  @Test
  void a_reader_who_was_offline_sees_every_missed_message_exactly_once() {
    Pair pair = pair();
    pair.b().offline(true);
    pair.b().until(d -> !d.findElements(By.cssSelector(".connection-banner")).isEmpty(), "offline banner");

    List<String> sent = IntStream.rangeClosed(1, 10).mapToObj(i -> "while you were away " + i).toList();
    sent.forEach(text -> {
      pair.a().send(text);
      pair.a().awaitMessage(text);
    });
    pair.a().until(d -> d.findElements(By.cssSelector(".message.pending")).isEmpty(), "all acknowledged");
    assertThat(pair.b().messageTexts()).doesNotContainAnyElementsOf(sent);

    pair.b().offline(false);
    pair.b().awaitConnected();
    pair.b().until(d -> pair.b().messageTexts().containsAll(sent), "missed messages shown");
    assertThat(pair.b().messageTexts()).containsSubsequence(sent)
        .filteredOn(sent::contains).hasSize(10).doesNotHaveDuplicates();
    // Registered again after the reconnect: new messages arrive live.
    pair.a().send("welcome back");
    pair.b().awaitMessage("welcome back");
  }

  @Test
  void messages_written_offline_wait_in_the_outbox_and_go_out_in_order_on_reconnect() {
    Pair pair = pair();
    pair.a().offline(true);
    pair.a().until(d -> !d.findElements(By.cssSelector(".connection-banner")).isEmpty(), "offline banner");
    List<String> written = List.of("first, offline", "second, offline", "third, offline");
    written.forEach(pair.a()::send);
    pair.a().until(d -> d.findElements(By.cssSelector(".message.pending[data-status=queued]")).size() == 3,
        "three messages waiting");
    assertThat(pair.a().messageTexts()).containsSubsequence(written);

    pair.a().offline(false);
    pair.a().awaitConnected();
    pair.a().until(d -> d.findElements(By.cssSelector(".message.pending")).isEmpty(), "outbox delivered");
    pair.b().until(d -> pair.b().messageTexts().containsAll(written), "Bob sees them");
    assertThat(pair.b().messageTexts()).containsSubsequence(written).filteredOn(written::contains).hasSize(3);
    assertThat(pair.a().messageTexts()).filteredOn(written::contains).hasSize(3);
    // The server stored each once, in the order written.
    String chatId = pair.b().chatLink("general").getDomAttribute("data-chat-id");
    List<String> stored = history(pair.bob(), chatId).stream().map(JsonObject.class::cast)
        .map(message -> message.getString("content")).toList();
    assertThat(stored).containsSubsequence(written).filteredOn(written::contains).hasSize(3);
  }

  @Test
  @DisplayName("A message the server refuses as too long says why, and offers to discard it but not to retry")
  void a_message_refused_as_invalid_says_why_and_offers_no_retry() {
    Pair pair = pair();
    WebElement box = pair.a().composer();
    // A control character the server refuses (a message over the length limit is not sent at all: the composer keeps
    // it and counts, see WebClientDefectsTest). Set at once, as a paste would.
    pair.a().script("const box = arguments[0]; box.value = 'a bell \\u0007 rings';"
        + " box.dispatchEvent(new Event('input', { bubbles: true }));", box);
    box.sendKeys(Keys.ENTER);

    WebElement failed = pair.a().waitFor(By.cssSelector(".message.pending[data-status=failed]"));
    WebElement status = failed.findElement(By.cssSelector(".send-status"));
    assertThat(status.getDomAttribute("data-code")).isEqualTo("validation_failed");
    assertThat(status.getText()).as("the server's detail").startsWith("failed: ").contains("content");
    assertThat(failed.findElements(By.xpath(".//button[normalize-space()='retry']"))).as("no retry").isEmpty();
    failed.findElement(By.xpath(".//button[normalize-space()='discard']")).click();
    pair.a().until(d -> d.findElements(By.cssSelector(".message.pending")).isEmpty(), "discarded");
    pair.a().send("a short one goes through");
    pair.b().awaitMessage("a short one goes through");
  }

  @Test
  void hostile_markdown_renders_inert() {
    Pair pair = pair();
    List<String> payloads = List.of(
        "<img src=x onerror=\"window.__pwned = 'img'\">",
        "<script>window.__pwned = 'script'</script>",
        "[click me](javascript:window.__pwned='link')",
        "<a href=\"javascript:window.__pwned='a'\">html link</a>",
        "<iframe src=\"javascript:parent.__pwned='frame'\"></iframe>",
        "![x](x\" onerror=\"window.__pwned='attr')",
        "<svg><animate onbegin=\"window.__pwned='svg'\" attributeName=x dur=1s>",
        "**bold** _and_ `code` <b>not bold</b>");
    payloads.forEach(pair.a()::send);
    pair.b().until(d -> pair.b().messageTexts().size() >= payloads.size()
        && pair.b().messageTexts().stream().anyMatch(text -> text.startsWith("bold and code")), "payloads shown");
    pair.b().driver().findElements(By.cssSelector(".message-list .content a")).forEach(link ->
        assertThat(String.valueOf(link.getDomAttribute("href"))).as("link target")
            .doesNotContainIgnoringCase("javascript"));
    for (WebElement link : pair.b().driver().findElements(By.cssSelector(".message-list .content a"))) {
      link.click();
    }
    assertThat(pair.b().script("return window.__pwned === undefined")).isEqualTo(true);
    assertThat(pair.b().script("return document.querySelectorAll("
        + "'.message-list .content :is(script, img, iframe, svg, animate, object, embed)').length")).isEqualTo(0L);
    assertThat(pair.b().messageTexts()).contains("<script>window.__pwned = 'script'</script>");
    WebElement last = pair.b().awaitMessage("bold and code <b>not bold</b>");
    assertThat(last.findElement(By.cssSelector(".content strong")).getText()).isEqualTo("bold");
    assertThat(last.findElement(By.cssSelector(".content code")).getText()).isEqualTo("code");
    assertThat(last.findElements(By.cssSelector(".content b"))).isEmpty();
    assertThat(pair.a().script("return window.__pwned === undefined")).isEqualTo(true);
  }

  @Test
  void the_theme_choice_persists_across_a_reload() {
    Pair pair = pair();
    pair.a().send("Dark or light, same conversation: `code` and a @" + pair.bob().username() + " mention");
    pair.b().awaitMessage("Dark or light, same conversation: code and a @" + pair.bob().username() + " mention");
    pair.b().send("Looks good in both.");
    pair.a().awaitMessage("Looks good in both.");

    pair.a().click(By.cssSelector("button[aria-label='Your status and settings']"));
    pair.a().click(By.cssSelector("[data-theme-choice=dark]"));
    assertThat(pair.a().script("return document.documentElement.dataset.theme")).isEqualTo("dark");
    pair.a().reload();
    pair.a().waitFor(By.cssSelector(".layout"));
    assertThat(pair.a().script("return document.documentElement.dataset.theme")).isEqualTo("dark");
    assertThat(pair.a().script("return getComputedStyle(document.body).backgroundColor"))
        .isEqualTo("rgb(26, 27, 31)");
    // The other person's choice is their own.
    assertThat(pair.b().script("return document.documentElement.dataset.theme")).isEqualTo("light");
    pair.a().openChat("general");
    pair.a().awaitMessage("Looks good in both.");
    screenshots().save(pair.a(), "chat-dark.png");
    screenshots().save(pair.b(), "chat-mention-light.png");
  }

  @Test
  void typing_reactions_threads_and_a_refreshed_token_reach_the_other_person() {
    Pair pair = pair();
    Browser a = pair.a();
    Browser b = pair.b();

    b.composer().sendKeys("thinking out loud");
    a.until(d -> "Bob is typing…".equals(d.findElement(By.cssSelector(".typing")).getText().trim()), "typing");
    b.composer().sendKeys(Keys.ENTER);
    WebElement message = a.awaitMessage("thinking out loud");
    a.until(d -> d.findElement(By.cssSelector(".typing")).getText().isBlank(), "typing ends with the message");

    new Actions(a.driver()).moveToElement(message).perform();
    message.findElement(By.cssSelector("button[aria-label='Add reaction']")).click();
    a.click(By.cssSelector(".emoji-picker button[data-emoji='👍']"));
    b.until(d -> d.findElements(By.cssSelector(".message .reaction .count")).stream()
        .anyMatch(count -> count.getText().equals("1")), "Bob sees the reaction");

    new Actions(a.driver()).moveToElement(message).perform();
    message.findElement(By.cssSelector("button[aria-label='Reply in thread']")).click();
    WebElement reply = a.waitFor(By.cssSelector(".thread-panel .composer-input"));
    reply.sendKeys("a reply in the thread", Keys.ENTER);
    b.until(d -> d.findElements(By.cssSelector(".message-list .thread-summary")).stream()
        .anyMatch(summary -> summary.getText().equals("1 reply")), "Bob sees the reply count");
    b.click(By.cssSelector(".message-list .thread-summary"));
    b.until(d -> d.findElements(By.cssSelector(".thread-panel .content")).stream()
        .anyMatch(content -> content.getText().equals("a reply in the thread")), "Bob reads the thread");
    assertThat(b.messageTexts()).doesNotContain("a reply in the thread");
    screenshots().save(b, "thread-light.png");

    // Alice's access token is about to expire: the client refreshes it by itself and goes on working.
    Object before = a.script("return JSON.parse(localStorage.getItem('ocomms.session')).refreshToken");
    a.script("const s = JSON.parse(localStorage.getItem('ocomms.session'));"
        + " s.expiresAt = Date.now() + 62000; localStorage.setItem('ocomms.session', JSON.stringify(s));");
    a.reload();
    a.until(d -> !before.equals(a.script(
        "return JSON.parse(localStorage.getItem('ocomms.session')).refreshToken")), "token refreshed");
    a.awaitConnected();
    a.send("still here after a refresh");
    b.awaitMessage("still here after a refresh");
  }

  @Test
  void ctrl_k_jumps_to_a_chat_and_alt_arrows_and_escape_move_around() {
    Pair pair = pair();
    channel(pair.alice(), pair.workspaceId(), "random", pair.bob());
    pair.a().chatLink("random");

    pair.a().chord(Keys.CONTROL, "k");
    pair.a().type(By.cssSelector(".switcher-input"), "rand");
    screenshots().save(pair.a(), "quick-switcher-light.png");
    pair.a().keys(Keys.ENTER);
    pair.a().until(d -> "random".equals(pair.a().activeChatTitle()), "#random open");
    assertThat(pair.a().driver().findElements(By.cssSelector(".modal"))).isEmpty();

    pair.a().send("over here");
    pair.b().openChat("random");
    pair.b().awaitMessage("over here");

    pair.a().chord(Keys.ALT, Keys.ARROW_UP.toString());
    pair.a().until(d -> "general".equals(pair.a().activeChatTitle()), "Alt+Up to #general");
    pair.a().chord(Keys.ALT, Keys.ARROW_DOWN.toString());
    pair.a().until(d -> "random".equals(pair.a().activeChatTitle()), "Alt+Down to #random");

    // A thread opens in the side panel and Esc closes it.
    WebElement message = pair.a().awaitMessage("over here");
    new org.openqa.selenium.interactions.Actions(pair.a().driver()).moveToElement(message).perform();
    message.findElement(By.cssSelector("button[aria-label='Reply in thread']")).click();
    pair.a().waitFor(By.cssSelector(".thread-panel"));
    pair.a().keys(Keys.ESCAPE);
    pair.a().until(d -> d.findElements(By.cssSelector(".thread-panel")).isEmpty(), "thread closed");

    pair.a().chord(Keys.CONTROL, "k");
    pair.a().waitFor(By.cssSelector(".switcher-input"));
    pair.a().keys(Keys.ESCAPE);
    pair.a().until(d -> d.findElements(By.cssSelector(".modal")).isEmpty(), "switcher closed");
  }

  private static Screenshots screenshots() {
    return new Screenshots();
  }

  /** docs/screenshots/ of the repository, for README.md. */
  static final class Screenshots {
    private final Path directory;

    Screenshots() {
      Path dir = Path.of("").toAbsolutePath();
      while (dir != null && !Files.isDirectory(dir.resolve("webroot"))) {
        dir = dir.getParent();
      }
      directory = (dir == null ? Path.of("target") : dir.resolve("docs")).resolve("screenshots");
    }

    void save(Browser browser, String name) {
      browser.screenshot(directory.resolve(name));
    }
  }
}
