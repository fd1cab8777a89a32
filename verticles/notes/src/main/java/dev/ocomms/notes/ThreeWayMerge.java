package dev.ocomms.notes;

import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.merge.MergeAlgorithm;
import org.eclipse.jgit.merge.MergeChunk;
import org.eclipse.jgit.merge.MergeResult;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Merges two saves made from the same version, line by line, as git merges files (JGit's merge algorithm): changes
 * to different lines are both kept; changes to the same lines (or to lines next to each other, where the order of
 * the two cannot be told) conflict.
 */
final class ThreeWayMerge {
  private ThreeWayMerge() {
  }

  /** The text with both sides' changes to {@code base}; empty when they overlap. */
  static Optional<String> merge(String base, String theirs, String ours) {
    if (theirs.equals(ours) || base.equals(ours)) {
      return Optional.of(theirs);
    }
    if (base.equals(theirs)) {
      return Optional.of(ours);
    }
    // Every side ends its last line, so that a line added at the end does not change the line before it; the result
    // ends as the save does.
    MergeResult<RawText> result = new MergeAlgorithm().merge(RawTextComparator.DEFAULT,
        text(terminated(base)), text(terminated(ours)), text(terminated(theirs)));
    if (result.containsConflicts()) {
      return Optional.empty();
    }
    List<RawText> sequences = result.getSequences();
    StringBuilder merged = new StringBuilder();
    for (MergeChunk chunk : result) {
      RawText sequence = sequences.get(chunk.getSequenceIndex());
      for (int line = chunk.getBegin(); line < chunk.getEnd(); line++) {
        merged.append(sequence.getString(line)).append('\n');
      }
    }
    if (!ours.endsWith("\n") && merged.length() > 0) {
      merged.setLength(merged.length() - 1);
    }
    return Optional.of(merged.toString());
  }

  private static String terminated(String text) {
    return text.isEmpty() || text.endsWith("\n") ? text : text + "\n";
  }

  static RawText text(String text) {
    return new RawText(text.getBytes(StandardCharsets.UTF_8));
  }
}
