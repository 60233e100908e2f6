// The GUI toolkits whose classes are made at the pace of a person using the program (no imports:
// the project index, which runs before any parse, uses it too).

/** GUI toolkits: their widgets are made at the pace of a person using the program. */
export const GUI_TOOLKITS = [
  'tkinter',
  'urwid',
  'PyQt5',
  'PyQt6',
  'PySide2',
  'PySide6',
  'wx',
  'gi',
  'kivy',
  'textual',
  'toga',
];

/** Whether the dotted module name is (in) a GUI toolkit: `PyQt6.QtWidgets`, `tkinter.ttk`. */
export function isGuiModule(module: string): boolean {
  return GUI_TOOLKITS.some((m) => module === m || module.startsWith(`${m}.`));
}
