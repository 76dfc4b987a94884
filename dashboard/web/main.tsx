// Browser entry. All CSS is imported here so esbuild emits one assets/app.css (ours plus
// xterm.js's and uPlot's): CSS imported from lazily loaded chunks would not be linked.
import { render } from 'preact';
import '@xterm/xterm/css/xterm.css';
import 'uplot/dist/uPlot.min.css';
import { App } from './app.js';
import './styles.css';

render(<App />, document.getElementById('app')!);
