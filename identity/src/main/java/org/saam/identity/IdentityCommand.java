package org.saam.identity;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.saam.common.cli.Cli;
import org.saam.common.config.LocalMode;
import org.saam.common.elasticsearch.Elasticsearch;
import org.saam.common.realm.RealmNames;
import org.saam.identity.realm.RealmProvisioner;
import org.saam.identity.tokenlog.TokenLogShipper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Command line of the identity module, called by {@code ./saam identity ...}: {@code provision} and
 * {@code ship-tokens}. Exit codes: see {@link Cli}.
 */
@Command(
    name = "saam-identity",
    mixinStandardHelpOptions = true,
    description = "The Keycloak realm 'saam' as code, and the issued-token log.",
    subcommands = {IdentityCommand.Provision.class, IdentityCommand.ShipTokens.class})
public final class IdentityCommand implements Runnable {
  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(Cli.run(new IdentityCommand(), args, System.out, System.err));
  }

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "name a command: provision or ship-tokens");
  }

  /** How the tool signs in to Keycloak's master realm. */
  static final class KeycloakAdmin {
    @Option(
        names = "--keycloak",
        defaultValue = "http://127.0.0.1:8180",
        description = "Keycloak (default: ${DEFAULT-VALUE})")
    String url;

    @Option(
        names = "--admin",
        defaultValue = "admin",
        description = "master-realm administrator (default: ${DEFAULT-VALUE})")
    String user;

    @Option(
        names = "--password",
        defaultValue = "${env:SAAM_KEYCLOAK_ADMIN_PASSWORD:-admin}",
        description = "their password (default: env SAAM_KEYCLOAK_ADMIN_PASSWORD, else admin)")
    String password;

    Keycloak connect() {
      return KeycloakBuilder.builder()
          .serverUrl(url)
          .realm("master")
          .clientId("admin-cli")
          .username(user)
          .password(password)
          .build();
    }
  }

  @Command(
      name = "provision",
      mixinStandardHelpOptions = true,
      description =
          "Create or update the realm 'saam' (idempotent); in local mode (SAAM_LOCAL_MODE=true)"
              + " also the demo accounts, outside it every client secret must be set and demo"
              + " accounts are removed.")
  static final class Provision implements Callable<Integer> {
    @Mixin KeycloakAdmin keycloak;

    @Option(
        names = "--no-demo-accounts",
        arity = "0..1",
        description = "do not create the demo accounts of the local stack")
    boolean noDemoAccounts;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      try (Keycloak admin = keycloak.connect()) {
        List<String> changes =
            new RealmProvisioner(admin, System.getenv())
                .provision(!noDemoAccounts && LocalMode.on());
        var out = spec.commandLine().getOut();
        changes.forEach(change -> out.println("  " + change));
        out.println(
            changes.isEmpty()
                ? "realm '" + RealmNames.REALM + "' is up to date"
                : "realm '" + RealmNames.REALM + "' provisioned (" + changes.size() + " changes)");
      }
      return Cli.OK;
    }
  }

  @Command(
      name = "ship-tokens",
      mixinStandardHelpOptions = true,
      description = "Copy Keycloak token events into Elasticsearch " + TokenLogShipper.INDEX + ".")
  static final class ShipTokens implements Callable<Integer> {
    @Mixin KeycloakAdmin keycloak;

    @Option(
        names = "--elasticsearch",
        defaultValue = "http://127.0.0.1:9200",
        description = "Elasticsearch (default: ${DEFAULT-VALUE})")
    String elasticsearch;

    @Option(
        names = "--every",
        defaultValue = "0",
        description =
            "ship again every this many seconds; 0 ships once (default: ${DEFAULT-VALUE})")
    long everySeconds;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (everySeconds < 0) {
        throw new IllegalArgumentException("--every must not be negative, was " + everySeconds);
      }
      try (Keycloak admin = keycloak.connect()) {
        TokenLogShipper shipper =
            new TokenLogShipper(admin.realm(RealmNames.REALM), Elasticsearch.client(elasticsearch));
        do {
          int shipped = shipper.shipOnce();
          spec.commandLine()
              .getOut()
              .println("shipped " + shipped + " token events to " + TokenLogShipper.INDEX);
          if (everySeconds > 0) {
            Thread.sleep(Duration.ofSeconds(everySeconds).toMillis());
          }
        } while (everySeconds > 0);
      }
      return Cli.OK;
    }
  }
}
