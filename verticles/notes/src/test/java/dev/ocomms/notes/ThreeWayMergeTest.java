package dev.ocomms.notes;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Merging two saves made from the same version")
class ThreeWayMergeTest {
  private static final String BASE = "# Plan\n\nmonday: design\ntuesday: build\nwednesday: test\nthursday: ship\n";

  @Test
  @DisplayName("changes to different lines are both kept")
  void separateLinesMerge() {
    String theirs = BASE.replace("monday: design", "monday: design review");
    String ours = BASE.replace("thursday: ship", "thursday: ship it");

    assertThat(ThreeWayMerge.merge(BASE, theirs, ours)).contains(
        "# Plan\n\nmonday: design review\ntuesday: build\nwednesday: test\nthursday: ship it\n");
  }

  @Test
  @DisplayName("different changes to the same line conflict")
  void sameLineConflicts() {
    String theirs = BASE.replace("tuesday: build", "tuesday: build the API");
    String ours = BASE.replace("tuesday: build", "tuesday: build the client");

    assertThat(ThreeWayMerge.merge(BASE, theirs, ours)).isEmpty();
  }

  @Test
  @DisplayName("the same change made twice is taken once")
  void identicalChangesAgree() {
    String both = BASE.replace("wednesday: test", "wednesday: test again");

    assertThat(ThreeWayMerge.merge(BASE, both, both)).contains(both);
  }

  @Test
  @DisplayName("lines added at the end by one and at the start by the other are both kept, without a final newline")
  void additionsAtBothEnds() {
    String base = "one\ntwo";
    String theirs = "zero\none\ntwo";
    String ours = "one\ntwo\nthree";

    assertThat(ThreeWayMerge.merge(base, theirs, ours)).contains("zero\none\ntwo\nthree");
  }

  @Test
  @DisplayName("a save from the empty note merges with a note written since only if they do not overlap")
  void fromEmpty() {
    assertThat(ThreeWayMerge.merge("", "theirs\n", "ours\n")).isEmpty();
    assertThat(ThreeWayMerge.merge("", "theirs\n", "")).contains("theirs\n");
  }

  @Test
  @DisplayName("a line deleted by one and another line edited by the other gives both")
  void deleteAndEdit() {
    String theirs = BASE.replace("wednesday: test\n", "");
    String ours = BASE.replace("# Plan", "# Plan for the week");

    assertThat(ThreeWayMerge.merge(BASE, theirs, ours)).contains(
        "# Plan for the week\n\nmonday: design\ntuesday: build\nthursday: ship\n");
  }
}
