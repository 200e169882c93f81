// Small behaviours the static pages need, by event delegation so they survive Blazor's enhanced navigation.
(() => {
    // The ballot stops a choice beyond the maximum as it is ticked, and says why; the server still refuses more.
    document.addEventListener('change', event => {
        const box = event.target;
        const fieldset = box instanceof HTMLInputElement && box.type === 'checkbox' ? box.closest('[data-max-choices]') : null;
        if (!fieldset) return;
        const max = Number(fieldset.dataset.maxChoices);
        const boxes = [...fieldset.querySelectorAll('input[type=checkbox]')];
        const count = fieldset.querySelector('.choice-count');
        if (box.checked && boxes.filter(b => b.checked).length > max) {
            box.checked = false;
            if (count) {
                count.textContent = count.dataset.limitMessage;
                count.classList.add('field-error');
            }
            return;
        }
        if (count) {
            count.textContent = count.dataset.template.replace('{n}', String(boxes.filter(b => b.checked).length));
            count.classList.remove('field-error');
        }
    });

    const graphemes = typeof Intl !== 'undefined' && Intl.Segmenter ? new Intl.Segmenter('ja', { granularity: 'grapheme' }) : null;
    const characters = text => graphemes ? Array.from(graphemes.segment(text)).length : Array.from(text).length;

    // A box with a limit ([data-count]: comments) shows what is written against it as one types; past it, the count says so.
    document.addEventListener('input', event => {
        const box = event.target;
        if (!(box instanceof HTMLTextAreaElement) || !box.dataset.count) return;
        const count = document.getElementById(box.dataset.count);
        if (!count) return;
        // Characters as a person counts them (an emoji or 𠮷 is one), as the server does (TextLength.Characters).
        const length = characters(box.value.trim());
        const over = length > Number(box.dataset.countMax);
        count.textContent = (over ? count.dataset.overTemplate : count.dataset.template).replace('{n}', String(length));
        count.classList.toggle('field-error', over);
        count.classList.toggle('hint', !over);
    });

    // The header menu closes on Escape and returns focus to its button.
    document.addEventListener('keydown', event => {
        if (event.key !== 'Escape') return;
        const menu = document.querySelector('.site-menu[open]');
        if (!menu) return;
        menu.open = false;
        menu.querySelector('summary')?.focus();
    });
})();

// A message that asks for the focus ([data-autofocus]: an error summary, a refusal) is also brought into view. Routes'
// FocusOnNavigate focuses it without scrolling, so after a refused post the page opened at its top while the message sat far
// below on a phone (a comment form at the foot of a proposal). Only when it is not already wholly in view: nothing moves otherwise.
(() => {
    // An address that names a place on the page (a new comment, #c-0001) keeps its view: the message only takes the focus,
    // so a screen reader says it while the eye sees what was added.
    const anchored = () => location.hash.length > 1 && document.getElementById(decodeURIComponent(location.hash.slice(1))) !== null;
    const reveal = () => {
        // A refusal goes before any other message that asks for the focus: it is what the person must act on.
        const target = document.querySelector('[role=alert][data-autofocus], .error-summary[data-autofocus]') ?? document.querySelector('[data-autofocus]');
        if (!target) return;
        const box = target.getBoundingClientRect();
        if (!anchored() && (box.top < 0 || box.bottom > window.innerHeight)) {
            target.scrollIntoView({ block: 'start' });
        }
        if (document.activeElement === null || document.activeElement === document.body) {
            target.focus({ preventScroll: true });
        }
    };
    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', reveal, { once: true });
    } else {
        reveal();
    }
    // Going to the address's fragment after loading puts the focus back on the body: look again once the page has loaded.
    window.addEventListener('load', () => setTimeout(reveal, 0), { once: true });
    window.Blazor?.addEventListener?.('enhancedload', reveal);
})();

// Interactive pages move focus to an error summary once it is on screen.
window.civicFocus = id => document.getElementById(id)?.focus();

// The staff's confirmation (Components/Shared/ConfirmDialog.razor): a native modal dialog, so the browser itself keeps the
// rest of the page inert, Tab within the dialog, Escape as "cancel" and the focus's way back to the button that opened it.
window.civicDialog = {
    open: dialog => { if (!dialog.open) dialog.showModal(); },
};

// A facility device ([data-kiosk-return-after], the kiosk's pages) goes back to its neutral screen on its own: at the session's
// end, or a while after a screen that ends a session, so no one finds the last voter's ballot or receipt on it.
(() => {
    const schedule = () => {
        const marker = document.querySelector('[data-kiosk-return-after]');
        if (!marker) return;
        const seconds = Number(marker.dataset.kioskReturnAfter);
        if (seconds > 0) setTimeout(() => location.replace('/kiosk'), seconds * 1000);
    };
    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', schedule, { once: true });
    } else {
        schedule();
    }
})();
