package dev.ocomms.shared.limits;

import java.time.Duration;
import java.util.Objects;

/**
 * One named limit: how many actions one subject (a user, a client address) may take, and how the allowance comes
 * back. Its {@link #name()} is what a refusal's {@code limit} field says and part of its Redis key, so it is stable
 * and dotted ({@code chat.edit}).
 *
 * <ul>
 *   <li>{@link Kind#BUCKET}: a token bucket. Up to {@code limit} at once, refilled evenly so that it is full again
 *   {@code period} after it was empty: {@code bucket("chat.send", 10, 1 s)} is 10 at once and 10 per second.</li>
 *   <li>{@link Kind#WINDOW}: at most {@code limit} in a window of {@code period} that starts with the first one.
 *   {@link #withBackoff} spaces them too: after {@code free} in the window, each next one waits {@code base},
 *   {@code 2 × base}, {@code 4 × base}... after the one before.</li>
 * </ul>
 *
 * @param refusal what a refused caller is told (no names, no content)
 */
public record Quota(String name, Kind kind, int limit, Duration period, int backoffAfter, Duration backoffBase,
                    String refusal) {
  public enum Kind { BUCKET, WINDOW }

  public Quota {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(refusal, "refusal");
    if (limit < 1 || period.toMillis() < 1) {
      throw new IllegalArgumentException("a quota allows at least 1 per at least 1 ms: " + name);
    }
    if (backoffAfter >= 0 && (kind != Kind.WINDOW || backoffBase.toMillis() < 1)) {
      throw new IllegalArgumentException("only a window backs off, by at least 1 ms: " + name);
    }
  }

  /** {@code limit} at once, refilled evenly over {@code period}. */
  public static Quota bucket(String name, int limit, Duration period, String refusal) {
    return new Quota(name, Kind.BUCKET, limit, period, -1, Duration.ZERO, refusal);
  }

  /** {@code limit} in a window of {@code period} from the first one. */
  public static Quota window(String name, int limit, Duration period, String refusal) {
    return new Quota(name, Kind.WINDOW, limit, period, -1, Duration.ZERO, refusal);
  }

  /** This window, where after {@code free} in it each next one waits twice as long as the one before, from base. */
  public Quota withBackoff(int free, Duration base) {
    return new Quota(name, kind, limit, period, free, base, refusal);
  }

  /**
   * Where Redis keeps a subject's count of this quota. The subject is the key's hash tag, so that one script can take
   * several quotas of one subject on a Redis Cluster too (all its keys are in one slot).
   */
  String key(String subject) {
    return "ocomms:limit:{" + subject + "}:" + name;
  }
}
