package dev.ocomms.messaging;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;

import java.time.OffsetDateTime;
import java.util.function.Function;

/**
 * What the batch statement ({@link MessageStore#storeBatch}) decided for one send: stored, or refused and why. Each
 * case says how its sender is answered ({@link #answer}); Java 17 has no switch over a sealed type, so this one method
 * is what makes the compiler ask a new case for its answer.
 */
sealed interface SendDecision {

  /** {@code stored} applied to a stored send, or {@code refused} applied to the failure its sender gets. */
  <T> T answer(Function<Stored, T> stored, Function<RuntimeException, T> refused);

  /** Stored under the chat's {@code seq} by the batch's transaction, which ran at {@code createdAt}. */
  record Stored(long seq, OffsetDateTime createdAt) implements SendDecision {
    @Override
    public <T> T answer(Function<Stored, T> stored, Function<RuntimeException, T> refused) {
      return stored.apply(this);
    }
  }

  /** A send with this clientId is stored already (a concurrent retry): the sender gets that one back. */
  record Duplicate() implements SendDecision {
    @Override
    public <T> T answer(Function<Stored, T> stored, Function<RuntimeException, T> refused) {
      return refused.apply(new AlreadyStored());
    }
  }

  /** The sender is not a member of the chat any more (they left after the check from memory). */
  record NotMember() implements SendDecision {
    @Override
    public <T> T answer(Function<Stored, T> stored, Function<RuntimeException, T> refused) {
      return refused.apply(new OcommsException(ErrorCode.FORBIDDEN, "you can no longer write in this chat"));
    }
  }

  /** The chat was archived after the check from memory. */
  record ChatArchived() implements SendDecision {
    @Override
    public <T> T answer(Function<Stored, T> stored, Function<RuntimeException, T> refused) {
      return refused.apply(new OcommsException(Reason.CHAT_ARCHIVED, "this chat is archived"));
    }
  }

  /** The refusal of a {@link Duplicate}: the caller looks the stored send up and answers with it. */
  final class AlreadyStored extends RuntimeException {
    AlreadyStored() {
      super(null, null, false, false);
    }
  }
}
