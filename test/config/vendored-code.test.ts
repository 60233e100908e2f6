// Which files are vendored third-party code (server/src/model/vendored-code.ts): folders named like
// vendored code, and generic library folders (`lib/`, `ext/`…) that hold copies of well-known
// distributions; judged relative to the project root, with the folder listings a lister gives.
import { strict as assert } from 'node:assert';
import { isVendoredFile, isVendoredLibraryFolder, vendoredRoot } from '../../server/src/model/vendored-code';

const ROOT = '/home/me/proj';

/** A lister over an in-memory tree: folder (relative to ROOT) → the names in it. */
function lister(tree: Record<string, string[]>) {
  return (dir: string) => {
    const rel = dir === ROOT ? '' : dir.slice(ROOT.length + 1);
    return tree[rel];
  };
}

const TREE: Record<string, string[]> = {
  // A daemon that puts copies of libraries on sys.path.
  lib: ['__init__.py', 'boto', 'future', 'guessit', 'send2trash', 'knowit', 'simpleanidb', 'traktor'],
  ext: ['requests', 'urllib3', 'six.py', 'tornado', 'bs4', 'mako', 'adba', 'tvdbapiv2', 'sgmllib.py'],
  // `pip install --target libs`: metadata folders of several distributions.
  libs: ['flask', 'Flask-3.0.3.dist-info', 'somelib', 'somelib-1.0.dist-info', 'README.md'],
  // The project's own modules in generic folders: a wrapper named like a library does not make it
  // vendored, nor does its own `*.egg-info`.
  'src/lib': ['__init__.py', 'redis.py', 'helpers.py', 'mailer.py', 'search', 'uploader.py'],
  'src/lib2': ['mypkg', 'mypkg.egg-info'],
  'mypkg/ext': ['__init__.py', '_extension.py', '_registry.py'],
  // Three wrappers named like libraries, but modules (not packages) among many of the project's own.
  'app/lib': [
    '__init__.py',
    'redis.py',
    'celery.py',
    'requests.py',
    'auth.py',
    'audit.py',
    'cache',
    'crypto.py',
    'policy.py',
    'token',
    'user.py',
    'realm.py',
    'queue.py',
    'log.py',
  ],
  'shop/vendor': ['__init__.py', 'apps.py', 'models.py', 'views.py'],
};

const judge = (rel: string) => isVendoredFile(`${ROOT}/${rel}`, ROOT, lister(TREE));

describe('vendored code', () => {
  it('recognises vendored folders and library folders of copied distributions', () => {
    for (const rel of [
      'vendor/sockjs/router.py',
      'app/vendor/flask_principal.py',
      'pkg/_vendor/pyperclip/__init__.py',
      'pkg/_vendored/x.py',
      'third_party/a.py',
      'thirdparty/a.py',
      'third-party/a.py',
      '3rdparty/a.py',
      'ThirdParty/a.py',
      'extern/a.py',
      'externals/a.py',
      'env/lib/python3.12/site-packages/requests/api.py',
      'dist-packages/a.py',
      'lib/boto/s3/key.py',
      'lib/simpleanidb/__init__.py',
      'ext/tornado/ioloop.py',
      'ext/six.py',
      'ext/mako/ext/babelplugin.py',
      'libs/flask/app.py',
      'libs/somelib/core.py',
    ])
      assert.ok(judge(rel), rel);
  });

  it("keeps the project's own code: its lib/ and ext/, look-alike names, a Django app named vendor", () => {
    for (const rel of [
      'app/main.py',
      'src/lib/redis.py',
      'src/lib/helpers.py',
      'src/lib2/mypkg/core.py',
      'mypkg/ext/_registry.py',
      'app/lib/celery.py',
      'shop/vendor/models.py',
      'vendors/a.py',
      'vendor_api.py',
      'app/vendoring.py',
      'libraries/requests/a.py',
      'external/a.py',
      'contrib/a.py',
    ])
      assert.ok(!judge(rel), rel);
  });

  it('without a lister, only the folder names count', () => {
    assert.ok(isVendoredFile(`${ROOT}/vendor/a.py`, ROOT));
    assert.ok(!isVendoredFile(`${ROOT}/lib/boto/a.py`, ROOT));
    // An unreadable folder is judged by its name.
    assert.ok(isVendoredFile(`${ROOT}/vendor/a.py`, ROOT, () => undefined));
  });

  it('ignores the folders above the project root, and the root itself', () => {
    assert.ok(!isVendoredFile('/home/me/vendor/proj/app/main.py', '/home/me/vendor/proj'));
    assert.ok(!isVendoredFile('/srv/third_party/x/a.py', '/srv/third_party/x'));
    assert.ok(isVendoredFile('/home/me/vendor/proj/vendor/a.py', '/home/me/vendor/proj'));
    // A scan of the vendor folder itself analyses it.
    assert.ok(!isVendoredFile('/w/vendor/a.py', '/w/vendor'));
    // A file outside the root is not judged vendored.
    assert.ok(!isVendoredFile('/elsewhere/vendor/a.py', ROOT));
    assert.ok(!isVendoredFile(`${ROOT}/lib/boto/a.py`, `${ROOT}/lib`, lister(TREE)));
  });

  it('tells a folder of copied libraries from a folder of the project by what it holds', () => {
    assert.ok(isVendoredLibraryFolder(['requests', 'six.py', 'tornado', 'bs4']));
    assert.ok(isVendoredLibraryFolder(['a', 'a-1.0.dist-info', 'b', 'b.egg-info']));
    // Two known packages are not enough; nor are known names among four times as many others.
    assert.ok(!isVendoredLibraryFolder(['requests', 'tornado', 'mine', 'ours.py']));
    assert.ok(
      !isVendoredLibraryFolder([
        'requests',
        'tornado',
        'bs4',
        ...Array.from({ length: 13 }, (_, i) => `m${i}.py`),
      ]),
    );
    // Three known names, but single modules: wrappers, not copies.
    assert.ok(!isVendoredLibraryFolder(['requests.py', 'redis.py', 'celery.py']));
    // The project's own package and its metadata.
    assert.ok(!isVendoredLibraryFolder(['mypkg', 'mypkg-0.1.dist-info']));
  });

  it('judges from the outermost root, so a pyproject.toml inside a vendored copy does not count', () => {
    assert.equal(vendoredRoot('/w/ext/pkg/a.py', ['/w', '/w/ext/pkg']), '/w');
    assert.equal(vendoredRoot('/w/ext/pkg/a.py', [undefined, '/w/ext/pkg']), '/w/ext/pkg');
    assert.equal(vendoredRoot('/other/a.py', ['/w']), undefined);
  });
});
