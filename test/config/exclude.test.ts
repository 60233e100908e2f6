// Exclude globs with Ruff's semantics: names match anywhere, paths match from the project root.
import { strict as assert } from 'node:assert';
import { isExcluded } from '../../server/src/exclude';

const ROOT = '/repo';
const excluded = (rel: string, ...patterns: string[]) => isExcluded(`${ROOT}/${rel}`, patterns, ROOT);

describe('isExcluded', () => {
  it('matches a pattern without a slash against any file or folder name', () => {
    assert.ok(excluded('app/migrations/0001_initial.py', 'migrations'));
    assert.ok(excluded('proto/user_pb2.py', '*_pb2.py'));
    assert.ok(excluded('.tox/py311/lib/x.py', '.tox'));
    assert.ok(!excluded('app/models.py', 'migrations', '*_pb2.py'));
    assert.ok(!excluded('app/migrations_helper.py', 'migrations'));
  });

  it('matches a pattern with a slash against the path from the project root, covering what is below', () => {
    assert.ok(excluded('tests/fixtures/leaky.py', 'tests/fixtures'));
    assert.ok(excluded('tests/fixtures/deep/er/leaky.py', 'tests/fixtures/'));
    assert.ok(excluded('tests/fixtures/leaky.py', './tests/fixtures'));
    assert.ok(!excluded('src/tests/fixtures/leaky.py', 'tests/fixtures'));
    assert.ok(excluded('src/a/gen.py', 'src/*/gen.py'));
    assert.ok(!excluded('src/a/b/gen.py', 'src/*/gen.py'));
    assert.ok(excluded('src/a/b/gen.py', 'src/**/gen.py'));
    assert.ok(excluded('scripts/one.py', 'scripts/*.py'));
  });

  it('never excludes the project root itself, and applies only name patterns outside it', () => {
    assert.ok(!isExcluded(ROOT, ['repo', '*'], ROOT));
    assert.ok(isExcluded('/elsewhere/user_pb2.py', ['*_pb2.py'], ROOT));
    assert.ok(!isExcluded('/elsewhere/tests/fixtures/a.py', ['tests/fixtures'], ROOT));
  });

  it('supports absolute patterns and character classes', () => {
    assert.ok(isExcluded('/repo/vendor/lib.py', ['/repo/vendor'], ROOT));
    assert.ok(excluded('v2/api.py', 'v[0-9]'));
    assert.ok(!excluded('vx/api.py', 'v[0-9]'));
  });

  it('excludes nothing without patterns', () => {
    assert.ok(!excluded('a.py'));
  });
});
