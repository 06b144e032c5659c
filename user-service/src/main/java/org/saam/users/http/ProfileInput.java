package org.saam.users.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Year;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.IllformedLocaleException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.saam.servicekit.http.ProblemException;
import org.saam.users.store.User;

/**
 * Validation of profile fields in request bodies. Every problem is named with the field and what to
 * send instead; all problems of a body are reported at once.
 */
final class ProfileInput {
  static final Set<String> FIELDS =
      Set.of(
          "display_name", "birth_year", "time_zone", "locale", "email", "phone", "enabled", "role");
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+$");
  private static final Pattern PHONE = Pattern.compile("^\\+?[0-9 ()-]{5,20}$");

  private ProfileInput() {}

  /** Applies the body's fields to {@code base}; on create every required field must be there. */
  static User apply(JsonNode body, User base, boolean create, boolean mayChangeEnabled) {
    if (body == null || !body.isObject()) {
      throw ProblemException.badRequest("the body must be a JSON object");
    }
    List<String> problems = new ArrayList<>();
    body.fieldNames()
        .forEachRemaining(
            name -> {
              if (!FIELDS.contains(name)) {
                problems.add("unknown field '" + name + "'; fields are " + FIELDS);
              }
            });
    String displayName = base.displayName();
    if (body.has("display_name")) {
      JsonNode value = body.get("display_name");
      if (!value.isTextual() || value.asText().isBlank() || value.asText().length() > 200) {
        problems.add("display_name must be a non-empty string of at most 200 characters");
      } else {
        displayName = value.asText().trim();
      }
    } else if (create) {
      problems.add("display_name is required");
    }
    Integer birthYear = base.birthYear();
    if (body.has("birth_year")) {
      JsonNode value = body.get("birth_year");
      int thisYear = Year.now().getValue();
      if (value.isNull()) {
        birthYear = null;
      } else if (!value.isInt() || value.asInt() < 1900 || value.asInt() > thisYear) {
        problems.add("birth_year must be a whole number between 1900 and " + thisYear);
      } else {
        birthYear = value.asInt();
      }
    }
    String timeZone = base.timeZone();
    if (body.has("time_zone")) {
      String value = body.get("time_zone").asText("");
      if (!body.get("time_zone").isTextual() || !ZoneId.getAvailableZoneIds().contains(value)) {
        problems.add("time_zone '" + value + "' is not an IANA time zone such as Europe/Ljubljana");
      } else {
        timeZone = value;
      }
    } else if (create) {
      problems.add("time_zone is required, an IANA time zone such as Europe/Ljubljana");
    }
    String locale = base.locale();
    if (body.has("locale")) {
      String value = body.get("locale").asText("");
      try {
        Locale parsed = new Locale.Builder().setLanguageTag(value).build();
        if (parsed.getLanguage().isEmpty()) {
          throw new IllformedLocaleException("no language");
        }
        locale = parsed.toLanguageTag();
      } catch (IllformedLocaleException e) {
        problems.add("locale '" + value + "' is not a language tag such as sl-SI");
      }
    } else if (create) {
      locale = "en";
    }
    String email = base.email();
    if (body.has("email")) {
      JsonNode value = body.get("email");
      if (value.isNull()) {
        email = null;
      } else if (!value.isTextual()
          || value.asText().length() > 254
          || !EMAIL.matcher(value.asText()).matches()) {
        problems.add("email must be an e-mail address");
      } else {
        email = value.asText().toLowerCase(Locale.ROOT);
      }
    }
    String phone = base.phone();
    if (body.has("phone")) {
      JsonNode value = body.get("phone");
      if (value.isNull()) {
        phone = null;
      } else if (!value.isTextual() || !PHONE.matcher(value.asText()).matches()) {
        problems.add("phone must be digits, spaces, ( ) - and an optional leading +, 5 to 20 long");
      } else {
        phone = value.asText();
      }
    }
    boolean enabled = base.enabled();
    if (body.has("enabled")) {
      if (!mayChangeEnabled) {
        problems.add("only administrators may change 'enabled'");
      } else if (!body.get("enabled").isBoolean()) {
        problems.add("enabled must be true or false");
      } else {
        enabled = body.get("enabled").asBoolean();
      }
    }
    if (body.has("role") && !create) {
      problems.add("role can be given only when the person is created");
    }
    if (!problems.isEmpty()) {
      throw new ProblemException(
          400,
          "Invalid profile",
          String.join("; ", problems),
          java.util.Map.of("errors", problems));
    }
    return new User(
        base.id(),
        displayName,
        birthYear,
        timeZone,
        locale,
        email,
        phone,
        base.keycloakId(),
        enabled,
        base.hasPhoto(),
        base.createdAt(),
        base.updatedAt());
  }
}
