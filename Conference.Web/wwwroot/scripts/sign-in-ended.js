// A page whose sign-in ended goes to /account/ended (MainLayout asks this, not Blazor's NavigateTo), unless the
// person just submitted a sign-out form on it. Their own sign-out is what made the api end the sign-in and tell the
// open pages, so this flag is always set before that news can reach this page; the form's answer then takes the tab
// where it belongs ("You signed out everywhere") instead of being cancelled by a second navigation.
(() => {
    let signingOut = false;
    document.addEventListener('submit', event => {
        if (!event.defaultPrevented && event.target instanceof HTMLFormElement && event.target.hasAttribute('data-ends-sign-in')) {
            signingOut = true;
        }
    });
    // Back from the back/forward cache: the page is in use again.
    window.addEventListener('pageshow', event => { if (event.persisted) signingOut = false; });
    window.conferenceSignInEnded = url => {
        if (!signingOut) {
            location.assign(url);
        }
    };
})();
