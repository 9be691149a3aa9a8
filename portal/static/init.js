// GOV.UK Frontend's behaviour (e.g. the mobile menu); pages work without it. A file, not an inline script,
// so the Content-Security-Policy allows no inline script but the template's nonced one (portal/security.py).
import { initAll } from "./govuk/govuk-frontend.min.js";

initAll();
