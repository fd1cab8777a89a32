package dev.ocomms.gateway.http;

import dev.ocomms.shared.bus.Input;
import io.vertx.rxjava3.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * REST query parameters, read strictly. The contract's validator accepts any JSON number that is whole
 * ({@code 1e2}, {@code 99999999999999999999}); here a number is decimal digits only, given once, within its bounds,
 * or the request is {@code 400 validation_failed} with {@code field} naming the parameter as the client wrote it.
 */
final class QueryParameters {
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,19}");

  private QueryParameters() {
  }

  /** An optional whole number in [min, max] (min ≥ 0). */
  static Optional<Long> wholeNumber(RoutingContext ctx, String name, long min, long max) {
    List<String> values = ctx.queryParam(name);
    if (values.isEmpty()) {
      return Optional.empty();
    }
    String rule = name + " must be a whole number from " + min + " to " + max;
    if (values.size() > 1) {
      throw Input.invalid(name, name + " may be given once");
    }
    String value = values.get(0);
    if (!DIGITS.matcher(value).matches()) {
      throw Input.invalid(name, rule);
    }
    long number;
    try {
      number = Long.parseLong(value);
    } catch (NumberFormatException tooLarge) {
      throw Input.invalid(name, rule);
    }
    if (number < min || number > max) {
      throw Input.invalid(name, rule);
    }
    return Optional.of(number);
  }

  /** An optional text parameter, given at most once. */
  static Optional<String> text(RoutingContext ctx, String name) {
    List<String> values = ctx.queryParam(name);
    if (values.size() > 1) {
      throw Input.invalid(name, name + " may be given once");
    }
    return values.stream().findFirst();
  }
}
