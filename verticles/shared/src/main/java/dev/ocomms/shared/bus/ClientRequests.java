package dev.ocomms.shared.bus;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;

/**
 * How long the gateway waits for the owner of a client's request (REST or bridge), and what the client is told when
 * the owner is missing or silent. Most owners get 10 s. Search is optional and must never hold a client up: it gets
 * one second, and its absence is {@code unavailable} with reason {@code search_unavailable}, which a client tells apart
 * from a node that cannot serve anything.
 */
public final class ClientRequests {
  public static final long DEFAULT_TIMEOUT_MS = 10_000;
  public static final long SEARCH_TIMEOUT_MS = 1_000;

  private ClientRequests() {
  }

  public static long timeoutMs(String address) {
    return Addresses.SEARCH_QUERY.equals(address) ? SEARCH_TIMEOUT_MS : DEFAULT_TIMEOUT_MS;
  }

  /** What the client sees when its request to {@code address} failed. */
  public static OcommsException failure(String address, Throwable failure) {
    OcommsException problem = BusErrors.fromFailure(failure);
    boolean unavailable = problem.code() == ErrorCode.UNAVAILABLE || problem.code() == ErrorCode.TIMEOUT;
    if (Addresses.SEARCH_QUERY.equals(address) && unavailable) {
      return new OcommsException(Reason.SEARCH_UNAVAILABLE, "search is not available right now; retry later",
          problem.details().copy().put("retryAfter", 1));
    }
    return problem;
  }
}
