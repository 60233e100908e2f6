// Which files are test code (server/src/model/test-code.ts): folders named exactly `test`,
// `tests`, `_tests` or `<word>_tests` inside the project, and pytest's file names; judged relative to the project root.
import { strict as assert } from 'node:assert';
import { isTestFile, isTestFileName, projectRoot } from '../../server/src/model/test-code';

const ROOT = '/home/me/proj';
const judge = (rel: string) => isTestFile(`${ROOT}/${rel}`, ROOT);

describe('test code', () => {
  it('recognises test folders and test file names', () => {
    for (const rel of [
      'tests/helpers.py',
      'test/data.py',
      'tests/unit/deep/factories.py',
      'src/pkg/tests/fixtures.py',
      'test_api.py',
      'app/test_cache.py',
      'app/cache_test.py',
      'shop/tests.py',
      'conftest.py',
      'src/pkg/conftest.py',
      'tests/notebook.ipynb',
      'pkg/_tests/util/cache.py',
      'pkg/_test/helpers.py',
      'integration_tests/client.py',
      'browser/playwright_tests/pages/home.py',
    ])
      assert.ok(judge(rel), rel);
  });

  it('keeps look-alikes: testing/, test_utils/, names that only contain "test"', () => {
    for (const rel of [
      'app/main.py',
      'testing/tools.py',
      'test_utils/helpers.py',
      'mytests/a.py',
      'tests_old/a.py',
      'Tests/a.py',
      'app/testament.py',
      'app/attest.py',
      'app/contest.py',
      'app/test_data.json',
      'app/conftest.pyi',
      '_tests_data/a.py',
      '__tests__/a.py',
      '_tests.py',
      'pkg/tests_helpers/a.py',
      'pkg/unit_tests.py',
    ])
      assert.ok(!judge(rel), rel);
  });

  it('ignores the folders above the project root', () => {
    assert.ok(!isTestFile('/home/me/test/proj/app/main.py', '/home/me/test/proj'));
    assert.ok(!isTestFile('/srv/tests/checkout/app.py', '/srv/tests/checkout'));
    assert.ok(isTestFile('/home/me/test/proj/tests/a.py', '/home/me/test/proj'));
    // A file outside the root (or the root itself) is judged by its name only.
    assert.ok(!isTestFile('/elsewhere/tests/a.py', ROOT));
    assert.ok(isTestFile('/elsewhere/tests/test_a.py', ROOT));
    assert.ok(!isTestFile('/home/me/tests', '/home/me/tests'));
  });

  it('takes a folder that conftest.py marks, holding more test modules than others, as a test folder', () => {
    const folders: Record<string, string[]> = {
      [`${ROOT}/t`]: ['__init__.py', 'integration', 'unit'],
      [`${ROOT}/t/integration`]: ['__init__.py', 'conftest.py', 'tasks.py', 'test_a.py', 'test_b.py'],
      [`${ROOT}/app`]: ['__init__.py', 'conftest.py', 'views.py', 'models.py', 'test_views.py'],
      [`${ROOT}/lib`]: ['__init__.py', 'tasks.py', 'test_a.py', 'test_b.py'],
      [ROOT]: ['conftest.py', 'single.py', 'test_single.py', 'test_more.py'],
    };
    const list = (dir: string) => folders[dir];
    assert.ok(isTestFile(`${ROOT}/t/integration/tasks.py`, ROOT, list));
    assert.ok(isTestFile(`${ROOT}/t/integration/deeper/helpers.py`, ROOT, list), 'below it too');
    // Fixtures beside shipped modules; test modules without a conftest.py; the root itself.
    assert.ok(!isTestFile(`${ROOT}/app/views.py`, ROOT, list));
    assert.ok(!isTestFile(`${ROOT}/lib/tasks.py`, ROOT, list));
    assert.ok(!isTestFile(`${ROOT}/single.py`, ROOT, list));
    // Without a lister (or an unreadable folder) the path alone decides.
    assert.ok(!isTestFile(`${ROOT}/t/integration/tasks.py`, ROOT));
    assert.ok(!isTestFile(`${ROOT}/t/integration/tasks.py`, ROOT, () => undefined));
  });

  it('takes a folder of mostly test modules as a test folder without conftest.py, not a package with a test or two', () => {
    const folders: Record<string, string[]> = {
      [`${ROOT}/e2e_checks`]: [
        '__init__.py',
        'shared.py',
        'test_a.py',
        'test_b.py',
        'test_c.py',
        'README.md',
      ],
      [`${ROOT}/lib`]: ['__init__.py', 'tasks.py', 'models.py', 'test_a.py', 'test_b.py', 'test_c.py'],
    };
    const list = (dir: string) => folders[dir];
    assert.ok(isTestFile(`${ROOT}/e2e_checks/shared.py`, ROOT, list));
    assert.ok(!isTestFile(`${ROOT}/lib/tasks.py`, ROOT, list));
  });

  it("names test files as pytest does by default, and Django's tests.py", () => {
    for (const name of ['test_a.py', 'a_test.py', 'conftest.py', 'tests.py'])
      assert.ok(isTestFileName(name), name);
    for (const name of [
      'test.py',
      'testa.py',
      'atest.py',
      'test_a.txt',
      'conftest_x.py',
      'testing.py',
      'tests_x.txt',
    ])
      assert.ok(!isTestFileName(name), name);
  });

  it('takes the deepest root that holds the file as the project root', () => {
    const file = '/ws/tests/proj/tests/a.py';
    assert.equal(projectRoot(file, ['/ws', '/ws/tests/proj']), '/ws/tests/proj');
    assert.equal(projectRoot(file, ['/ws/tests/proj', '/ws']), '/ws/tests/proj');
    assert.equal(projectRoot(file, ['/ws', undefined]), '/ws');
    assert.equal(projectRoot(file, ['/other', '/ws/tests/project']), undefined);
  });
});
