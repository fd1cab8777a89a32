package dev.ocomms.notes;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eclipse.jgit.diff.DiffAlgorithm;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.diff.EditList;
import org.eclipse.jgit.diff.HistogramDiff;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;

/**
 * What changed between two versions of a note, line by line, as unified-diff hunks with {@link #CONTEXT} lines
 * around each change: {@code {hunks: [{fromLine, fromCount, toLine, toCount, lines: [{op, text}]}]}}, lines numbered
 * from 1 and {@code op} one of {@code context}, {@code removed}, {@code added}.
 */
final class NoteDiff {
  static final int CONTEXT = 3;
  private static final DiffAlgorithm ALGORITHM = new HistogramDiff();

  private NoteDiff() {
  }

  static JsonObject between(String from, String to) {
    RawText a = ThreeWayMerge.text(from);
    RawText b = ThreeWayMerge.text(to);
    EditList edits = ALGORITHM.diff(RawTextComparator.DEFAULT, a, b);
    JsonArray hunks = new JsonArray();
    int i = 0;
    while (i < edits.size()) {
      // Edits closer than twice the context share a hunk.
      int last = i;
      while (last + 1 < edits.size()
          && edits.get(last + 1).getBeginA() - edits.get(last).getEndA() <= 2 * CONTEXT) {
        last++;
      }
      hunks.add(hunk(a, b, edits, i, last));
      i = last + 1;
    }
    return new JsonObject().put("hunks", hunks);
  }

  private static JsonObject hunk(RawText a, RawText b, EditList edits, int first, int last) {
    Edit start = edits.get(first);
    Edit end = edits.get(last);
    int fromBegin = Math.max(0, start.getBeginA() - CONTEXT);
    int toBegin = Math.max(0, start.getBeginB() - CONTEXT);
    int fromEnd = Math.min(a.size(), end.getEndA() + CONTEXT);
    int toEnd = Math.min(b.size(), end.getEndB() + CONTEXT);
    JsonArray lines = new JsonArray();
    int lineA = fromBegin;
    for (int e = first; e <= last; e++) {
      Edit edit = edits.get(e);
      for (; lineA < edit.getBeginA(); lineA++) {
        lines.add(line("context", a.getString(lineA)));
      }
      for (int removed = edit.getBeginA(); removed < edit.getEndA(); removed++) {
        lines.add(line("removed", a.getString(removed)));
      }
      for (int added = edit.getBeginB(); added < edit.getEndB(); added++) {
        lines.add(line("added", b.getString(added)));
      }
      lineA = edit.getEndA();
    }
    for (; lineA < fromEnd; lineA++) {
      lines.add(line("context", a.getString(lineA)));
    }
    return new JsonObject()
        .put("fromLine", fromBegin + 1).put("fromCount", fromEnd - fromBegin)
        .put("toLine", toBegin + 1).put("toCount", toEnd - toBegin)
        .put("lines", lines);
  }

  private static JsonObject line(String op, String text) {
    return new JsonObject().put("op", op).put("text", text);
  }
}
