package dev.ocomms.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The memory of other JVMs on this machine, through {@code jcmd}: heap in use after a full GC, and RSS. */
final class JvmMemory {
  /** The first {@code total NK, used NK} of {@code GC.heap_info}: the Java heap (Metaspace follows it). */
  private static final Pattern HEAP = Pattern.compile("total (\\d+)K, used (\\d+)K");

  private JvmMemory() {
  }

  /** Heap in use right after a full GC, heap committed then, and resident memory once settled, in bytes. */
  record Sample(long heapUsedBytes, long heapCommittedBytes, long rssBytes) {
  }

  /** Runs a full GC in each process, then reads its heap in use and its RSS; the sums over the processes. */
  static Sample afterFullGc(List<Long> pids) throws IOException, InterruptedException {
    long heap = 0;
    long committed = 0;
    long rss = 0;
    // One jcmd (itself a JVM start) runs both commands.
    Path commands = Files.createTempFile("ocomms-jcmd-", ".txt");
    try {
      Files.writeString(commands, "GC.run\nGC.heap_info\n");
      for (long pid : pids) {
        Matcher used = HEAP.matcher(jcmd(pid, "-f", commands.toString()));
        if (!used.find()) {
          throw new IOException("GC.heap_info of process " + pid + " shows no heap in use");
        }
        committed += Long.parseLong(used.group(1)) * 1024;
        heap += Long.parseLong(used.group(2)) * 1024;
        rss += settledRss(pid);
      }
    } finally {
      Files.deleteIfExists(commands);
    }
    return new Sample(heap, committed, rss);
  }

  /**
   * Resident memory once it stops moving: after a full GC, G1 gives the heap regions it no longer needs back to the
   * system concurrently, a while after the GC itself has returned.
   */
  private static long settledRss(long pid) throws InterruptedException {
    long previous = ProcessStats.rssBytes(pid);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Thread.sleep(250);
      long now = ProcessStats.rssBytes(pid);
      if (Math.abs(now - previous) < (1 << 20)) {
        return now;
      }
      previous = now;
    }
    return previous;
  }

  /** The first {@code lines} lines of a process's class histogram (after a full GC), for the report. */
  static String classHistogram(long pid, int lines) throws IOException, InterruptedException {
    String histogram = jcmd(pid, "GC.class_histogram");
    return String.join("\n", histogram.lines().limit(lines).toList());
  }

  private static String jcmd(long pid, String... command) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(pid)));
    line.addAll(List.of(command));
    Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
    byte[] output = jcmd.getInputStream().readAllBytes();
    if (!jcmd.waitFor(120, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
      throw new IOException("jcmd " + String.join(" ", command) + " failed for process " + pid + ": "
          + new String(output, StandardCharsets.UTF_8));
    }
    return new String(output, StandardCharsets.UTF_8);
  }
}
