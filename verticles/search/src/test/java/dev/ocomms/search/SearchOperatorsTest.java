package dev.ocomms.search;

import dev.ocomms.search.Answer.Via;
import dev.ocomms.testkit.Account;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.ocomms.search.SearchRequest.messages;
import static dev.ocomms.search.SearchSystem.id;
import static dev.ocomms.search.SearchSystem.ids;
import static dev.ocomms.search.SearchSystem.uniqueWord;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The query language of {@code scope: messages}, each operator alone and in combination, over one corpus: a workspace
 * of alice, bob and carol with #general, #design (alice and bob) and the DM of alice and bob. Alice searches unless a
 * test says otherwise; she may read every message of the corpus.
 */
@DisplayName("Search operators")
@ExtendWith(SearchSystem.Resolver.class)
class SearchOperatorsTest {
  private static SearchSystem system;
  private static Account alice;
  private static Account bob;
  private static Account carol;
  private static String workspaceId;
  private static JsonObject budgetReview;
  private static JsonObject budgetApproved;
  private static JsonObject logoDraft;
  private static JsonObject dmBudget;
  private static JsonObject cafe;
  private static JsonObject reportLink;
  private static JsonObject png;
  private static JsonObject jpg;
  private static JsonObject gif;
  private static JsonObject webp;
  private static JsonObject spreadsheetFile;
  private static JsonObject spreadsheetNoFile;
  private static JsonObject threadReply;
  private static JsonObject mentionCarol;
  private static JsonObject hamlet;
  private static JsonObject configuration;
  private static JsonObject colonWords;
  private static List<JsonObject> corpus;

  @BeforeAll
  static void setUp(SearchSystem searchSystem) {
    system = searchSystem;
    List<Account> users = system.users(3);
    alice = users.get(0);
    bob = users.get(1);
    carol = users.get(2);
    workspaceId = system.workspace(alice, List.of(bob, carol));
    String general = system.general(alice, workspaceId);
    String design = system.publicChannel(alice, workspaceId, "design", List.of(bob));
    String dm = system.dm(alice, workspaceId, bob).getString("id");
    // Every message carries the tag, so that one search shows when all of them are indexed.
    String tag = uniqueWord();
    budgetReview = system.send(alice, general, tag + " the quarterly budget review is tomorrow");
    budgetApproved = system.send(bob, general, tag + " budget approved by finance");
    logoDraft = system.send(bob, design, tag + " new logo draft for the review");
    dmBudget = system.send(bob, dm, tag + " secret budget numbers for you");
    cafe = system.send(carol, general, tag + " Café meeting about my resume");
    reportLink = system.send(alice, general, tag + " see https://example.org/report.pdf for details");
    png = system.send(bob, general, tag + " screenshot https://example.org/shot.png");
    jpg = system.send(alice, general, tag + " photo https://cdn.example.org/pic.jpg");
    gif = system.send(bob, general, tag + " animation https://example.org/x.gif");
    webp = system.send(carol, general, tag + " still https://example.org/y.webp");
    spreadsheetFile = system.send(alice, general, new JsonObject().put("content", tag + " spreadsheet attached")
        .put("fileIds", new JsonArray().add(system.server
            .uploaded(alice, "figures.txt", Buffer.buffer("quarter,total\nQ1,100\n")).getString("id"))));
    spreadsheetNoFile = system.send(bob, general, tag + " spreadsheet coming soon");
    threadReply = system.send(carol, general, new JsonObject().put("content", tag + " thread reply about budget")
        .put("replyTo", id(budgetReview)));
    mentionCarol = system.send(bob, general, tag + " @" + carol.username() + " please check these numbers");
    hamlet = system.send(alice, general, tag + " to be or not to be");
    configuration = system.send(bob, general, tag + " configuration changed");
    colonWords = system.send(alice, general, tag + " re:meeting at 10:30");
    corpus = List.of(budgetReview, budgetApproved, logoDraft, dmBudget, cafe, reportLink, png, jpg, gif, webp,
        spreadsheetFile, spreadsheetNoFile, threadReply, mentionCarol, hamlet, configuration, colonWords);
    system.awaitIndexed(alice, messages(workspaceId, tag), ids(corpus.toArray(JsonObject[]::new)));
  }

  private static Set<String> found(Account searcher, String q) {
    return Set.copyOf(system.find(searcher, messages(workspaceId, q).limit(50)));
  }

  private static Set<String> found(String q) {
    return found(alice, q);
  }

  // Words

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("every word must match: 'budget approved' finds the one message holding both, 'budget' all four")
  void allWordsMustMatch(Via via) {
    assertThat(system.search(via, alice, messages(workspaceId, "budget approved")).messageIds())
        .containsExactly(id(budgetApproved));
    assertThat(Set.copyOf(system.search(via, alice, messages(workspaceId, "budget")).messageIds()))
        .isEqualTo(ids(budgetReview, budgetApproved, dmBudget, threadReply));
  }

  @Test
  @DisplayName("a word no message holds, beside one many hold, finds nothing")
  void unknownWordFindsNothing() {
    assertThat(found("budget " + uniqueWord())).isEmpty();
  }

  @Test
  @DisplayName("a quoted phrase matches those words in that order only")
  void phrase() {
    assertThat(found("\"budget review\"")).isEqualTo(ids(budgetReview));
    assertThat(found("\"review budget\"")).isEmpty();
  }

  @Test
  @DisplayName("-word leaves out the messages holding it")
  void excludedWord() {
    assertThat(found("budget -approved")).isEqualTo(ids(budgetReview, dmBudget, threadReply));
  }

  @Test
  @DisplayName("-\"a phrase\" leaves out the messages holding that phrase")
  void excludedPhrase() {
    assertThat(found("budget -\"budget review\"")).isEqualTo(ids(budgetApproved, dmBudget, threadReply));
  }

  @Test
  @DisplayName("prefix* matches every word that starts with it; without the star the prefix is just a word")
  void prefix() {
    assertThat(found("config*")).isEqualTo(ids(configuration));
    assertThat(found("spread*")).isEqualTo(ids(spreadsheetFile, spreadsheetNoFile));
    assertThat(found("confi")).isEmpty();
  }

  @Test
  @DisplayName("case and accents are ignored, both ways: 'CAFE' finds 'Café', 'résumé' finds 'resume'")
  void caseAndAccents() {
    assertThat(found("CAFE")).isEqualTo(ids(cafe));
    assertThat(found("café")).isEqualTo(ids(cafe));
    assertThat(found("résumé")).isEqualTo(ids(cafe));
    assertThat(found("Budget APPROVED")).isEqualTo(ids(budgetApproved));
  }

  @Test
  @DisplayName("stop words still find messages: 'the' and 'to be or not to be'")
  void stopWords() {
    assertThat(found("the")).contains(id(budgetReview), id(logoDraft)).doesNotContain(id(budgetApproved));
    assertThat(found("to be or not to be")).contains(id(hamlet));
  }

  @Test
  @DisplayName("a word with a colon that is no operator ('re:meeting', '10:30') is a plain word, not an error")
  void colonWordsArePlainWords() {
    assertThat(found("re:meeting")).isEqualTo(ids(colonWords));
    assertThat(found("10:30")).isEqualTo(ids(colonWords));
  }

  // People and places

  @Test
  @DisplayName("from:@username keeps that sender's messages, alone or with words")
  void from() {
    assertThat(found("from:@" + bob.username() + " budget")).isEqualTo(ids(budgetApproved, dmBudget));
    assertThat(found("from:@" + bob.username())).isEqualTo(
        ids(budgetApproved, logoDraft, dmBudget, png, gif, spreadsheetNoFile, mentionCarol, configuration));
  }

  @Test
  @DisplayName("in:#channel keeps that channel's messages")
  void inChannel() {
    assertThat(found("review in:#design")).isEqualTo(ids(logoDraft));
    assertThat(found("review in:#general")).isEqualTo(ids(budgetReview));
  }

  @Test
  @DisplayName("in:@username keeps the messages of the caller's DM with that person, for either of them")
  void inDm() {
    assertThat(found("in:@" + bob.username())).isEqualTo(ids(dmBudget));
    assertThat(found(bob, "budget in:@" + alice.username())).isEqualTo(ids(dmBudget));
  }

  @Test
  @DisplayName("mentions:@me keeps the messages that mention the caller; mentions:@username those mentioning that person")
  void mentions() {
    assertThat(found(carol, "mentions:@me")).isEqualTo(ids(mentionCarol));
    assertThat(found(alice, "mentions:@me")).isEmpty();
    assertThat(found(alice, "numbers mentions:@" + carol.username())).isEqualTo(ids(mentionCarol));
  }

  // Dates

  /** The day a message was sent on, in a zone. */
  private static LocalDate day(JsonObject message, ZoneId zone) {
    return OffsetDateTime.parse(message.getString("createdAt")).atZoneSameInstant(zone).toLocalDate();
  }

  private static Set<String> sentOn(List<JsonObject> messages, LocalDate date, ZoneId zone) {
    return messages.stream().filter(message -> day(message, zone).equals(date)).map(SearchSystem::id)
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  private static List<JsonObject> budgetMessages() {
    return List.of(budgetReview, budgetApproved, dmBudget, threadReply);
  }

  @Test
  @DisplayName("on:YYYY-MM-DD is that day in the caller's tz: the day a message has there, not its UTC day")
  void onIsADayInTheCallersZone() {
    // One of these zones (UTC+14, UTC-11) always has another date than UTC at the moment a message was sent.
    ZoneId kiritimati = ZoneId.of("Pacific/Kiritimati");
    ZoneId zone = !day(budgetApproved, kiritimati).equals(day(budgetApproved, ZoneOffset.UTC))
        ? kiritimati : ZoneId.of("Pacific/Pago_Pago");
    LocalDate local = day(budgetApproved, zone);
    LocalDate utc = day(budgetApproved, ZoneOffset.UTC);
    assertThat(local).as("the zone's date").isNotEqualTo(utc);

    Set<String> onLocalDay = Set.copyOf(system.find(alice,
        messages(workspaceId, "budget on:" + local).tz(zone.getId()).limit(50)));
    Set<String> onUtcDayInZone = Set.copyOf(system.find(alice,
        messages(workspaceId, "budget on:" + utc).tz(zone.getId()).limit(50)));
    Set<String> onUtcDay = Set.copyOf(system.find(alice, messages(workspaceId, "budget on:" + utc).limit(50)));

    assertThat(onLocalDay).as("on:%s in %s", local, zone).isEqualTo(sentOn(budgetMessages(), local, zone))
        .contains(id(budgetApproved));
    assertThat(onUtcDayInZone).as("on:%s in %s", utc, zone).isEqualTo(sentOn(budgetMessages(), utc, zone))
        .doesNotContain(id(budgetApproved));
    assertThat(onUtcDay).as("on:%s in UTC (the default tz)", utc)
        .isEqualTo(sentOn(budgetMessages(), utc, ZoneOffset.UTC)).contains(id(budgetApproved));
  }

  @Test
  @DisplayName("after: and before: bound the days: the day before and the day after today hold today's messages")
  void afterAndBefore() {
    LocalDate today = day(budgetApproved, ZoneOffset.UTC);
    Set<String> sentToday = sentOn(budgetMessages(), today, ZoneOffset.UTC);

    assertThat(found("budget after:" + today.minusDays(1) + " before:" + today.plusDays(1))).isEqualTo(sentToday)
        .contains(id(budgetApproved));
    assertThat(found("budget after:" + today.minusDays(1))).contains(id(budgetApproved));
    assertThat(found("budget before:" + today.plusDays(1))).contains(id(budgetApproved));
    assertThat(found("budget before:" + today.minusDays(1))).doesNotContain(id(budgetApproved));
    assertThat(found("budget after:" + today.plusDays(1))).doesNotContain(id(budgetApproved));
  }

  // What a message holds

  @Test
  @DisplayName("has:file keeps the messages with files (fileIds)")
  void hasFile() {
    assertThat(found("has:file")).isEqualTo(ids(spreadsheetFile));
    assertThat(found("spreadsheet has:file")).isEqualTo(ids(spreadsheetFile));
  }

  @Test
  @DisplayName("has:link keeps the messages with a link")
  void hasLink() {
    assertThat(found("has:link")).isEqualTo(ids(reportLink, png, jpg, gif, webp));
  }

  @Test
  @DisplayName("has:image keeps the messages with a link to a .png, .jpg, .gif or .webp, not to other files")
  void hasImage() {
    assertThat(found("has:image")).isEqualTo(ids(png, jpg, gif, webp));
  }

  @Test
  @DisplayName("is:thread keeps thread replies and thread roots, and a reply's result names its root")
  void isThread() {
    Answer answer = system.search(alice, messages(workspaceId, "budget is:thread"));

    assertThat(Set.copyOf(answer.messageIds())).isEqualTo(ids(budgetReview, threadReply));
    assertThat(answer.results()).allSatisfy(result -> assertThat(result.getValue("rootId"))
        .as("rootId of %s", result)
        .isEqualTo(result.getString("messageId").equals(id(threadReply)) ? id(budgetReview) : null));
  }

  // Order

  private static void assertNewestFirst(List<JsonObject> results) {
    assertThat(results).extracting(result -> OffsetDateTime.parse(result.getString("createdAt")).toInstant())
        .isSortedAccordingTo(Comparator.reverseOrder());
  }

  @Test
  @DisplayName("sort:recent in the query, like sort=recent, lists newest first")
  void sortRecent() {
    String tag = budgetReview.getString("content").split(" ")[0];
    Answer inQuery = system.search(alice, messages(workspaceId, tag + " sort:recent").limit(50));
    Answer asParameter = system.search(alice, messages(workspaceId, tag).sort("recent").limit(50));

    assertThat(Set.copyOf(inQuery.messageIds())).hasSize(corpus.size());
    assertNewestFirst(inQuery.results());
    assertThat(asParameter.messageIds()).isEqualTo(inQuery.messageIds());
    assertThat(inQuery.messageIds().get(0)).isEqualTo(id(colonWords));
  }

  // Combined

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("operators combine with words and with each other: every condition must hold")
  void combined(Via via) {
    assertThat(system.search(via, alice, messages(workspaceId, "budget from:@" + bob.username() + " in:#general"))
        .messageIds()).containsExactly(id(budgetApproved));
    assertThat(system.search(via, alice, messages(workspaceId,
            "review -logo from:@" + alice.username() + " is:thread in:#general")).messageIds())
        .containsExactly(id(budgetReview));
    assertThat(system.search(via, alice, messages(workspaceId, "has:image from:@" + bob.username() + " sort:recent"))
        .messageIds()).containsExactly(id(gif), id(png));
    assertThat(system.search(via, alice, messages(workspaceId, "spread* has:file -coming")).messageIds())
        .containsExactly(id(spreadsheetFile));
  }

  @Test
  @DisplayName("a search for the corpus' words finds nothing of it in another workspace of the same people")
  void otherWorkspaceSeesNothingOfThisOne() {
    String otherWorkspace = system.workspace(bob, List.of(alice));
    assertThat(Stream.of("budget", "has:link", "from:@" + bob.username())
        .flatMap(q -> system.find(alice, messages(otherWorkspace, q)).stream())).isEmpty();
  }
}
