package org.saam.identity;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.saam.identity.realm.RealmProvisioner;
import org.saam.identity.realm.SaamRealm;
import org.saam.identity.tokenlog.Elasticsearch;
import org.saam.identity.tokenlog.TokenLogShipper;

/**
 * Command line of the identity module, called by {@code ./saam identity ...}.
 *
 * <pre>
 * provision    [--keycloak URL] [--admin USER] [--password P] [--no-demo-accounts]
 * ship-tokens  [--keycloak URL] [--admin USER] [--password P] [--elasticsearch URL] [--every SECONDS]
 * </pre>
 *
 * The admin password may also come from {@code SAAM_KEYCLOAK_ADMIN_PASSWORD}.
 */
public final class IdentityCommand {
  private static final String USAGE =
      """
      usage: saam-identity <command> [options]
        provision     create or update the realm 'saam' (idempotent) and the demo accounts
                      --keycloak http://127.0.0.1:8180  --admin admin  --password admin
                      --no-demo-accounts true
        ship-tokens   copy Keycloak token events into Elasticsearch saam-token-log
                      --elasticsearch http://127.0.0.1:9200  --every 0 (seconds; 0 = once)
      """;

  private IdentityCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("help")) {
      out.print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    Map<String, String> options;
    try {
      options = options(args);
    } catch (IllegalArgumentException e) {
      err.println("saam-identity: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    try (Keycloak admin = admin(options)) {
      switch (args[0]) {
        case "provision" -> {
          List<String> changes =
              new RealmProvisioner(admin, System.getenv())
                  .provision(!options.containsKey("no-demo-accounts"));
          changes.forEach(change -> out.println("  " + change));
          out.println(
              changes.isEmpty()
                  ? "realm '" + SaamRealm.REALM + "' is up to date"
                  : "realm '" + SaamRealm.REALM + "' provisioned (" + changes.size() + " changes)");
        }
        case "ship-tokens" -> {
          TokenLogShipper shipper =
              new TokenLogShipper(
                  admin.realm(SaamRealm.REALM),
                  Elasticsearch.client(
                      options.getOrDefault("elasticsearch", "http://127.0.0.1:9200")));
          long every = Long.parseLong(options.getOrDefault("every", "0"));
          do {
            int shipped = shipper.shipOnce();
            out.println("shipped " + shipped + " token events to " + TokenLogShipper.INDEX);
            if (every > 0) {
              Thread.sleep(Duration.ofSeconds(every).toMillis());
            }
          } while (every > 0);
        }
        default -> {
          err.println("saam-identity: unknown command '" + args[0] + "'");
          err.print(USAGE);
          return 2;
        }
      }
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (Exception e) {
      err.println("saam-identity: " + args[0] + " failed: " + e.getMessage());
      return 1;
    }
  }

  private static Keycloak admin(Map<String, String> options) {
    return KeycloakBuilder.builder()
        .serverUrl(options.getOrDefault("keycloak", "http://127.0.0.1:8180"))
        .realm("master")
        .clientId("admin-cli")
        .username(options.getOrDefault("admin", "admin"))
        .password(
            options.getOrDefault(
                "password", System.getenv().getOrDefault("SAAM_KEYCLOAK_ADMIN_PASSWORD", "admin")))
        .build();
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected an option, got '" + args[i] + "'");
      }
      String key = args[i].substring(2);
      boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
      options.put(key, flag ? "true" : args[++i]);
    }
    return options;
  }
}
