// A page whose sign-in ended goes to /account/ended (MainLayout asks this, not Blazor's NavigateTo), with two
// exceptions, both about the news this browser's own form caused:
// - the person just submitted a sign-out form on this page (data-ends-sign-in): the flag is set before that news can
//   reach the page, and the form's answer takes the tab where it belongs ("You signed out everywhere") instead of
//   being cancelled by a second navigation;
// - another tab of this browser is changing the password (data-changes-sign-in): its answer brings a new cookie, and
//   /account/ended asked with the old one would remove the cookie after the new one arrived. This tab waits until
//   that tab has loaded its answer (then /account/ended finds the new cookie and brings the page back), at most 30 s.
(() => {
    const changing = 'conference:sign-in-changing';
    const patience = 30_000;
    let signingOut = false;

    // The tab that changed the sign-in has loaded its answer: the cookie is the new one.
    if (sessionStorage.getItem(changing) !== null) {
        if (localStorage.getItem(changing)?.startsWith(sessionStorage.getItem(changing) + ' ')) {
            localStorage.removeItem(changing);
        }
        sessionStorage.removeItem(changing);
    }

    document.addEventListener('submit', event => {
        const form = event.target;
        if (event.defaultPrevented || !(form instanceof HTMLFormElement)) {
            return;
        }
        if (form.hasAttribute('data-ends-sign-in')) {
            signingOut = true;
        }
        if (form.hasAttribute('data-changes-sign-in')) {
            const id = Math.random().toString(36).slice(2);
            sessionStorage.setItem(changing, id);
            localStorage.setItem(changing, `${id} ${Date.now()}`);
        }
    });
    // Back from the back/forward cache: the page is in use again.
    window.addEventListener('pageshow', event => { if (event.persisted) signingOut = false; });

    function changeUnderway() {
        const since = Number(localStorage.getItem(changing)?.split(' ')[1]);
        return since > 0 && Date.now() - since < patience;
    }

    window.conferenceSignInEnded = url => {
        if (signingOut) {
            return;
        }
        if (!changeUnderway()) {
            location.assign(url);
            return;
        }
        const go = () => {
            window.removeEventListener('storage', onStorage);
            clearTimeout(timer);
            location.assign(url);
        };
        const onStorage = event => { if (event.key === changing && event.newValue === null) go(); };
        window.addEventListener('storage', onStorage);
        const timer = setTimeout(go, patience);
    };
})();
