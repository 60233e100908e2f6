import * as assert from 'node:assert/strict';
import { opaque } from '../../client/src/panel/colors';

describe('panel: line colours', () => {
  it('drops the alpha of theme colours, keeps opaque ones', () => {
    assert.equal(opaque('rgba(234, 92, 0, 0.33)'), 'rgb(234, 92, 0)');
    assert.equal(opaque('rgb(234 92 0 / 40%)'), 'rgb(234, 92, 0)');
    assert.equal(opaque('#d1861680'), '#d18616');
    assert.equal(opaque('#abc8'), '#abc');
    assert.equal(opaque(' #89d185 '), '#89d185');
    assert.equal(opaque('rgb(1, 2, 3)'), 'rgb(1, 2, 3)');
    assert.equal(opaque('var(--x)'), 'var(--x)');
  });
});
