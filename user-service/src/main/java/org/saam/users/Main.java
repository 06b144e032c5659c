package org.saam.users;

/** Starts the user service with the configuration from the environment. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    UserServiceConfig config;
    try {
      config = UserServiceConfig.fromEnvironment(System.getenv());
    } catch (org.saam.common.config.Environment.InvalidConfigException e) {
      System.err.println("user-service: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    UserService service = UserService.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(service::close, "user-service-shutdown"));
  }
}
