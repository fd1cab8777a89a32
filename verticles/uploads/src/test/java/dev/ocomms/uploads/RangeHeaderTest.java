package dev.ocomms.uploads;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.uploads.storage.ByteRange;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("A download's Range header")
class RangeHeaderTest {
  private static final long SIZE = 1000;

  @Test
  @DisplayName("bytes=a-b is b-a+1 bytes from a, cut at the end of the file")
  void closedRange() {
    assertThat(Serving.range("bytes=10-19", SIZE)).contains(ByteRange.of(10, 10));
    assertThat(Serving.range("bytes=990-2000", SIZE)).contains(ByteRange.of(990, 10));
  }

  @Test
  @DisplayName("bytes=a- is from a to the end, and bytes=-n the last n bytes")
  void openAndSuffixRanges() {
    assertThat(Serving.range("bytes=500-", SIZE)).contains(ByteRange.from(500));
    assertThat(Serving.range("bytes=-100", SIZE)).contains(ByteRange.of(900, 100));
    assertThat(Serving.range("bytes=-5000", SIZE)).contains(ByteRange.of(0, SIZE));
  }

  @Test
  @DisplayName("no header, several ranges, another unit or a reversed range: the whole file")
  void wholeFile() {
    assertThat(Serving.range(null, SIZE)).isEmpty();
    assertThat(Serving.range("bytes=0-1,5-6", SIZE)).isEmpty();
    assertThat(Serving.range("items=0-1", SIZE)).isEmpty();
    assertThat(Serving.range("bytes=20-10", SIZE)).isEmpty();
    assertThat(Serving.range("bytes=-", SIZE)).isEmpty();
  }

  @Test
  @DisplayName("a range starting at or past the end is range_not_satisfiable, naming the size")
  void pastTheEnd() {
    assertThatThrownBy(() -> Serving.range("bytes=1000-", SIZE))
        .isInstanceOfSatisfying(OcommsException.class, failure -> {
          assertThat(failure.code()).isEqualTo(ErrorCode.RANGE_NOT_SATISFIABLE);
          assertThat(failure.details().getLong("size")).isEqualTo(SIZE);
        });
    assertThatThrownBy(() -> Serving.range("bytes=-0", SIZE)).isInstanceOf(OcommsException.class);
  }
}
