/* What the screen shows (layouts/url_state.py): recorded each time Dash's pages router draws a
   page, so that the router does not draw again a page that wrote its own view into the URL. */
(function () {
  "use strict";
  function shown(_drawn, pathname, search) {
    return {pathname: pathname || window.location.pathname, search: search || ""};
  }
  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.seUrl = {shown: shown};
})();
