import * as assert from 'node:assert/strict';
import { RestartPolicy } from '../../client/src/restart-policy';

describe('restart policy for a crashing language server', () => {
  function policyAt(clock: { t: number }) {
    return new RestartPolicy({ maxRestarts: 3, windowMs: 60_000, now: () => clock.t });
  }

  it('restarts up to the limit within the window, then gives up', () => {
    const clock = { t: 0 };
    const policy = policyAt(clock);
    const answers = [0, 1, 2, 3].map((i) => {
      clock.t = i * 1000;
      return policy.recordCrash();
    });
    assert.deepEqual(answers, [true, true, true, false]);
    assert.equal(policy.recentCrashes, 4);
  });

  it('forgets crashes older than the window, so rare crashes always restart', () => {
    const clock = { t: 0 };
    const policy = policyAt(clock);
    for (let i = 0; i < 10; i++) {
      clock.t = i * 30_001; // at most two crashes inside any 60 s window
      assert.equal(policy.recordCrash(), true, `crash ${i}`);
    }
  });

  it('gives up on a burst even after earlier crashes expired', () => {
    const clock = { t: 0 };
    const policy = policyAt(clock);
    policy.recordCrash();
    clock.t = 120_000;
    assert.deepEqual(
      [0, 1, 2, 3].map(() => policy.recordCrash()),
      [true, true, true, false],
    );
  });

  it('starts a fresh budget after reset (a restart the user asked for)', () => {
    const clock = { t: 0 };
    const policy = policyAt(clock);
    for (let i = 0; i < 4; i++) policy.recordCrash();
    policy.reset();
    assert.equal(policy.recentCrashes, 0);
    assert.equal(policy.recordCrash(), true);
  });
});
