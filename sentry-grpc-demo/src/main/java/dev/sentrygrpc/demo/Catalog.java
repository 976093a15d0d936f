package dev.sentrygrpc.demo;

import java.util.List;
import java.util.Map;

/** The shop's fixed data: what the warehouse stocks and which test cards do what. */
final class Catalog {

  static final String MUG = "mug-sentry";
  static final String TEE = "tee-grpc";
  static final String STICKERS = "sticker-pack";
  /** Discontinued years ago: the warehouse answers NOT_FOUND, an expected outcome, not an error. */
  static final String UNKNOWN_SKU = "hoodie-2019";

  static final List<String> SKUS = List.of(MUG, TEE, STICKERS);
  static final Map<String, Integer> STOCK = Map.of(MUG, 40, TEE, 25, STICKERS, 500);
  static final Map<String, Long> PRICE_CENTS = Map.of(MUG, 1500L, TEE, 2200L, STICKERS, 500L);

  static final String GOOD_CARD = "4242 4242 4242 4242";
  /** Takes the card processor client down a path with a bug: an uncaught exception. */
  static final String BUGGY_CARD = "4000 0000 0000 0119";
  /** The processor takes seconds for this one: longer than OrderService waits. */
  static final String SLOW_CARD = "4000 0000 0000 0259";
  /** The issuer declines it: PaymentService answers with Google's rich error model. */
  static final String DECLINED_CARD = "4000 0000 0000 0002";

  private Catalog() {}

  static String lastDigits(String card) {
    return card.substring(Math.max(0, card.length() - 4));
  }
}
