package org.saam.views;

/** Starts the feature-views service with the configuration from the environment. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    FeatureViewsConfig config;
    try {
      config = FeatureViewsConfig.fromEnvironment(System.getenv());
    } catch (org.saam.common.config.Environment.InvalidConfigException e) {
      System.err.println("feature-views: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    FeatureViewsService service = FeatureViewsService.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(service::close, "feature-views-shutdown"));
  }
}
