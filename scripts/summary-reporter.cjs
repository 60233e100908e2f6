// mocha's spec reporter, plus the run's counts written where run-tests.mjs reads them.
const fs = require('node:fs');
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const file = process.env.LEAK_LENS_STATS_FILE;
      if (file) fs.writeFileSync(file, JSON.stringify(this.stats));
    });
  }
}
module.exports = SummaryReporter;
