package dev.sentrygrpc.demo;

/** Told about each storefront step as the scripted run goes. */
interface Progress {

  Progress NONE =
      new Progress() {
        @Override
        public void started(int step, int total, String label) {}

        @Override
        public void finished(int step, int total, StepResult result) {}
      };

  /** Step {@code step} (1-based) of {@code total} begins. */
  void started(int step, int total, String label);

  void finished(int step, int total, StepResult result);
}
