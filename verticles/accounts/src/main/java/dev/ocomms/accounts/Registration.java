package dev.ocomms.accounts;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Opening an account: the rules for usernames, emails, display names and passwords (docs/protocol.md, "Accounts and
 * tokens"), the password hashed off the event loop, and the account's first session.
 */
final class Registration {
  static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{2,31}");
  private static final Pattern EMAIL = Pattern.compile(
      "[^@\\s\\p{Cc}\\p{Cf}]+@[^@\\s\\p{Cc}\\p{Cf}]+\\.[^@\\s\\p{Cc}\\p{Cf}]+");
  private static final int MAX_EMAIL = 254;
  static final int MAX_DISPLAY_NAME = 64;
  private static final int MIN_PASSWORD = 10;
  private static final int MAX_PASSWORD = 128;
  /** As short as the shortest username: shorter email names are not looked for in passwords. */
  private static final int MIN_NAME_IN_PASSWORD = 3;

  private final AccountStore store;
  private final Passwords passwords;
  private final Sessions sessions;
  private final RegistrationThrottle throttle;

  Registration(AccountStore store, Passwords passwords, Sessions sessions, RegistrationThrottle throttle) {
    this.throttle = throttle;
    this.store = store;
    this.passwords = passwords;
    this.sessions = sessions;
  }

  /**
   * {email, username, password, displayName, clientIp} → {user, accessToken, refreshToken, expiresIn}. A valid
   * registration counts against its address's hourly limit ({@link RegistrationThrottle}) before anything is looked up.
   */
  Single<JsonObject> register(Input request) {
    String email = request.string("email").trim();
    String username = request.string("username").trim();
    String password = request.string("password");
    if (!EMAIL.matcher(email).matches() || email.length() > MAX_EMAIL) {
      throw Input.invalid("email", "email: not an email address");
    }
    checkUsername(username);
    String displayName = displayName(request);
    String passwordProblem = passwordProblem(password, username, email);
    if (passwordProblem != null) {
      throw Input.invalid("password", "password: " + passwordProblem);
    }
    String clientIp = request.string("clientIp");
    UUID userId = Ids.next();
    return throttle.reserve(clientIp)
        .andThen(passwords.hash(password)
            .onErrorResumeNext(notHashed -> throttle.release(clientIp).onErrorComplete()
                .andThen(Single.error(notHashed))))
        .flatMap(hash -> store.insertUser(userId, email, username, displayName, hash))
        .onErrorResumeNext(failure -> Single.error(AccountStore.violatedConstraint(failure)
            .<Throwable>map(constraint -> new OcommsException(ErrorCode.CONFLICT, constraint.contains("email")
                ? "email: already registered" : "username: already taken"))
            .orElse(failure)))
        .flatMap(sessions::start);
  }

  /** A username by the rules every account's follows, people's and bots'. */
  static void checkUsername(String username) {
    if (!USERNAME.matcher(username).matches()) {
      throw Input.invalid("username",
          "username: 3 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
  }

  /**
   * A display name (as registration and profile updates take it): a name by {@link Input#text}'s rules (NFC, trimmed,
   * no control, format or line-break characters), 1 to 64 characters.
   */
  static String displayName(Input request) {
    return request.text("displayName", MAX_DISPLAY_NAME);
  }

  private static String passwordProblem(String password, String username, String email) {
    if (password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
      return MIN_PASSWORD + " to " + MAX_PASSWORD + " characters";
    }
    String lower = password.toLowerCase(Locale.ROOT);
    String emailName = email.toLowerCase(Locale.ROOT).substring(0, email.indexOf('@'));
    // A name as short as "a" (a@example.org) would forbid every password with that letter: it says nothing.
    if (lower.contains(username.toLowerCase(Locale.ROOT))
        || emailName.length() >= MIN_NAME_IN_PASSWORD && lower.contains(emailName)) {
      return "must not contain the username or the email's name";
    }
    if (password.chars().distinct().count() < 4) {
      return "too repetitive";
    }
    return null;
  }
}
