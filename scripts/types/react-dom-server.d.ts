// react-dom 18 ships no types and @types/react-dom is not installed; only what render-slack-screenshots.ts uses.
declare module 'react-dom/server' {
  import type { ReactElement } from 'react';
  export function renderToStaticMarkup(element: ReactElement): string;
}
