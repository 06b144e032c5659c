package org.saam.stream.options;

/**
 * One job option as an operator sees it: its key ({@code --key value}), its default and what it
 * means. The options table of the stream-jobs README is generated from these.
 *
 * @param key the option's name without the leading {@code --}
 * @param defaultText the default, as a sentence fragment (for example {@code 127.0.0.1}, or {@code
 *     env SAAM_MONGO_URI, else mongodb://127.0.0.1:27017})
 * @param meaning what it changes
 */
public record Option(String key, String defaultText, String meaning) {}
