// Page object for the code-server workbench (VS Code 1.139 DOM, Linux keybindings). Every wait
// is bounded; selectors that proved stable are listed in ../../../shared/E2E.md §4.3.
import { sleep, waitUntil } from './lib.mjs';

const MOD = 'Control';

export class Workbench {
  constructor(page) {
    this.page = page;
    this.quickInput = page.locator('.quick-input-widget');
  }

  /** Waits until the workbench shows the workspace's files in the explorer. */
  async waitReady(someFile, timeoutMs = 90_000) {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
    await this.page
      .locator('.explorer-folders-view .monaco-list-row', { hasText: someFile })
      .first()
      .waitFor({ timeout: timeoutMs });
  }

  /** The text editor of the active editor group (not the Output panel's, not a webview). */
  get editor() {
    return this.page
      .locator('.part.editor .editor-group-container.active .editor-instance .monaco-editor')
      .first();
  }

  async focusEditorArea() {
    await this.page
      .locator('.part.editor')
      .click({ position: { x: 400, y: 300 }, timeout: 5000 })
      .catch(() => {});
  }

  /** Closes whatever a failed earlier step may have left open (menus, peeks, pickers). */
  async reset() {
    for (let i = 0; i < 3; i++) {
      await this.page.keyboard.press('Escape');
      await sleep(100);
    }
    await this.closeQuickInput();
  }

  async closeQuickInput() {
    if (await this.quickInput.isVisible()) {
      await this.page.keyboard.press('Escape');
      await this.quickInput.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
    }
  }

  /** Ctrl+P, type the file name, pick it; resolves when its tab is active and its text rendered. */
  async openFile(fileName, someText) {
    await this.closeQuickInput();
    await this.focusEditorArea();
    await this.page.keyboard.press(`${MOD}+P`);
    await this.quickInput.waitFor({ state: 'visible', timeout: 10_000 });
    // fill(), not keyboard.type(): keys typed before the picker has focus would land in the editor.
    await this.quickInput.locator('input').first().fill(fileName);
    // Enter opens the focused row, and it must be the file itself: a row whose description merely
    // mentions the name (a recently used entry, a command line) is not it, and until the picker has
    // filtered on the typed name the focused row can still be the first recently opened file.
    const baseName = fileName.split('/').pop();
    const exact = new RegExp(`^${baseName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    await this.quickInput
      .locator('.monaco-list-row.focused')
      .filter({ has: this.page.locator('.label-name', { hasText: exact }) })
      .first()
      .waitFor({ timeout: 15_000 });
    await this.page.keyboard.press('Enter');
    await this.page
      .locator('.part.editor .tabs-container .tab.active', { hasText: baseName })
      .waitFor({ timeout: 15_000 });
    await this.editor.locator('.view-lines', { hasText: someText }).waitFor({ timeout: 15_000 });
  }

  /** Runs a command by its palette title ("Leak Lens: Fix All in File"). */
  /**
   * Opens the command palette. A webview that has focus (the memory panel) can keep the key from
   * the workbench on a busy machine: if the palette does not show, take the focus back to the
   * workbench and ask again (F1 opens it too).
   */
  async openCommandPalette() {
    for (const [attempt, key] of [`${MOD}+Shift+P`, 'F1', 'F1'].entries()) {
      if (attempt > 0) await this.page.evaluate(() => document.activeElement?.blur?.());
      await this.page.keyboard.press(key);
      const shown = await this.quickInput
        .waitFor({ state: 'visible', timeout: attempt === 2 ? 15_000 : 6_000 })
        .then(() => true)
        .catch(() => false);
      if (shown) return;
    }
    throw new Error('the command palette did not open (Ctrl+Shift+P, then F1 twice)');
  }

  async runCommand(title) {
    await this.closeQuickInput();
    await this.openCommandPalette();
    const input = this.quickInput.locator('input').first();
    await input.fill(`>${title}`);
    const paletteHint = await input.getAttribute('placeholder');
    const row = this.quickInput.locator('.monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ timeout: 15_000 });
    } catch {
      const offered = await this.quickInput.locator('.monaco-list-row').allTextContents();
      throw new Error(
        `command "${title}" is not in the palette; it offers: ${offered.join(' | ') || 'nothing'}`,
      );
    }
    await row.click();
    // Wait until the palette is gone or replaced by the command's own prompt, so that callers
    // answering that prompt do not type into the palette.
    await waitUntil(
      async () =>
        !(await this.quickInput.isVisible()) ||
        (await input.getAttribute('placeholder')) !== paletteHint ||
        (await input.inputValue()) !== `>${title}`,
      { timeoutMs: 10_000, what: `the palette to close after "${title}"` },
    );
  }

  /** Ctrl+G to a 1-based line; the cursor lands at its first column. */
  async gotoLine(line) {
    await this.closeQuickInput();
    await this.editor.click({ position: { x: 300, y: 10 } });
    await this.page.keyboard.press(`${MOD}+G`);
    await this.quickInput.waitFor({ state: 'visible', timeout: 10_000 });
    await this.quickInput.locator('input').first().fill(`:${line}`);
    await this.page.keyboard.press('Enter');
    await this.quickInput.waitFor({ state: 'hidden', timeout: 10_000 });
    await this.editor
      .locator('.margin-view-overlays .line-numbers', { hasText: new RegExp(`^\\s*${line}\\s*$`) })
      .waitFor({ timeout: 10_000 });
  }

  /**
   * Squiggles of the rendered lines, by 1-based line number: each squiggle's vertical centre is
   * matched to the line-number gutter element at that height (Monaco renders decorations and
   * line numbers in separate layers, so there is no DOM parent to go by).
   */
  async squigglesByLine() {
    return this.editor.evaluate((ed) => {
      const gutter = [...ed.querySelectorAll('.margin-view-overlays .line-numbers')].map((e) => ({
        line: Number(e.textContent.trim()),
        rect: e.getBoundingClientRect(),
      }));
      const byLine = {};
      for (const s of ed.querySelectorAll('.view-overlays [class*="squiggly-"]')) {
        const r = s.getBoundingClientRect();
        const y = r.top + r.height / 2;
        const hit = gutter.find((g) => y >= g.rect.top && y < g.rect.bottom);
        const kind = [...s.classList].find((c) => c.startsWith('squiggly-'));
        if (hit && kind) {
          byLine[hit.line] ??= [];
          byLine[hit.line].push(kind.replace('squiggly-', ''));
        }
      }
      return byLine;
    });
  }

  /** Brings a line into view and returns its squiggle kinds ([] when none). */
  async squigglesOnLine(line) {
    await this.gotoLine(line);
    return (await this.squigglesByLine())[line] ?? [];
  }

  async openProblems() {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible())) {
      await this.focusEditorArea();
      await this.page.keyboard.press(`${MOD}+Shift+M`);
    }
    await panel.waitFor({ state: 'visible', timeout: 10_000 });
  }

  /** Types into the Problems panel's filter box (a glob such as `**\/x.py` keeps that file only). */
  async filterProblems(text) {
    await this.openProblems();
    const input = this.page.locator(
      '.part.panel .viewpane-filter input, .part.panel .markers-panel-action-filter input',
    );
    await input.first().fill(text, { timeout: 10_000 });
    await sleep(400); // the filter applies after a short debounce
  }

  /**
   * Leak Lens markers listed in the Problems panel: `{code, line, col, text}`. The list is
   * virtualised (only rows in view exist in the DOM) and related-information rows take space, so
   * it is read while scrolling from top to bottom.
   */
  async problemMarkers() {
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    const list = this.page.locator('.markers-panel .monaco-list').first();
    const box = await list.boundingBox();
    const seen = new Map();
    const read = async () => {
      const texts = await rows.allTextContents();
      for (const text of texts) {
        // With a codeDescription the code is a link and textContent reads
        // "…Leak LensLEAK004[Ln 38, Col 12]"; without, "…Leak Lens(LEAK004) [Ln 38, Col 12]".
        // Related-information rows ("file.py[Ln 19, Col 9]: written here") carry no code.
        const m = text.match(/(LEAK\d{3})\)?\s*\[Ln (\d+), Col (\d+)\]/);
        if (m) seen.set(text, { code: m[1], line: Number(m[2]), col: Number(m[3]), text: text.trim() });
      }
      return texts.join('\n');
    };
    if (!box) return [...seen.values()];
    await this.page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height / 2, 40));
    await this.page.mouse.wheel(0, -100_000);
    await sleep(100);
    let view = await read();
    // Bottom reached when two scrolls in a row change nothing (one may just be slow to render).
    for (let i = 0, unchanged = 0; i < 40 && unchanged < 2; i++) {
      await this.page.mouse.wheel(0, Math.max(60, box.height - 60));
      await sleep(200);
      const next = await read();
      unchanged = next === view ? unchanged + 1 : 0;
      view = next;
    }
    await this.page.mouse.wheel(0, -100_000); // back to the top, for the screenshot
    return [...seen.values()];
  }

  /** Waits until the Problems panel lists Leak Lens markers that satisfy `ok`. */
  async waitForProblems(ok, what, timeoutMs = 30_000) {
    let last = [];
    try {
      return await waitUntil(
        async () => {
          last = await this.problemMarkers();
          return ok(last) ? last : false;
        },
        { timeoutMs, intervalMs: 500, what: `Problems panel: ${what}` },
      );
    } catch (e) {
      const listed = last.map((m) => `${m.code}@${m.line}`).join(', ') || 'no Leak Lens rows';
      throw new Error(`${e.message.replace(/ \(last seen.*$/s, '')}; listed: ${listed}`);
    }
  }

  async save() {
    await this.editor.click({ position: { x: 300, y: 10 } });
    await this.page.keyboard.press(`${MOD}+S`);
  }

  /** Toast notifications currently shown (bottom right). */
  notifications() {
    return this.page.locator('.notifications-toasts .notification-toast');
  }

  /** Messages of all notifications: toasts and, since toasts hide after a while, the notification centre. */
  async notificationMessages() {
    const messages = new Set(await this.page.locator('.notification-list-item-message').allInnerTexts());
    return [...messages].map((m) => m.replace(/\s+/g, ' ').trim()).filter(Boolean);
  }

  /** The HTML document inside a webview: two nested iframes (outer gets class `ready`). */
  webview() {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  }
}
