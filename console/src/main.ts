// Entry of /console: the Shoelace components the shell uses (cherry-picked, not the whole library),
// their assets from this server, and <cl-console>. Screens load on first use (app.ts).
import { setBasePath } from '@shoelace-style/shoelace/dist/utilities/base-path.js';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import '@shoelace-style/shoelace/dist/components/badge/badge.js';
import '@shoelace-style/shoelace/dist/components/tag/tag.js';
import '@shoelace-style/shoelace/dist/components/dialog/dialog.js';
import '@shoelace-style/shoelace/dist/components/spinner/spinner.js';
import './app.ts';

setBasePath('/console/shoelace');
