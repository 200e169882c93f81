// The keying grid's Enter key, handled in the browser: focus moves at once (no round trip per key),
// an IME's Enter that confirms a kana conversion is left alone, and the field's value reaches the
// server through its ordinary change event when focus leaves it.
const fields = ["serial", "cast-date", "voter", "choices"];

function inputOf(grid, row, field) {
    return grid.querySelector(`input[data-row="${row}"][data-field="${field}"]`);
}

function focusAndSelect(input) {
    input.focus();
    input.select();
}

// The next row is added by the server when the last row gets its first value; give that render a moment.
async function nextRowInput(grid, row) {
    for (let attempt = 0; attempt < 40; attempt++) {
        const input = inputOf(grid, row + 1, "serial");
        if (input) {
            return input;
        }
        await new Promise(resolve => setTimeout(resolve, 50));
    }
    return null;
}

function rowIsEmpty(grid, row) {
    return fields.every(field => (inputOf(grid, row, field)?.value ?? "").trim() === "");
}

export function attach(grid, save) {
    const onKeyDown = async event => {
        const input = event.target;
        if (event.key !== "Enter" || event.isComposing || event.keyCode === 229 || event.altKey || event.ctrlKey || event.metaKey
            || !(input instanceof HTMLInputElement) || !input.dataset.field) {
            return;
        }

        event.preventDefault();
        const row = Number(input.dataset.row);
        const at = fields.indexOf(input.dataset.field);
        if (event.shiftKey) {
            const previous = at > 0 ? inputOf(grid, row, fields[at - 1]) : inputOf(grid, row - 1, fields[fields.length - 1]);
            if (previous) {
                focusAndSelect(previous);
            }
            return;
        }

        // Enter on a blank new row: the box is done, go to the save button.
        if (at === 0 && rowIsEmpty(grid, row) && !inputOf(grid, row + 1, "serial") && row > 1) {
            save.focus();
            return;
        }

        if (at < fields.length - 1) {
            focusAndSelect(inputOf(grid, row, fields[at + 1]));
            return;
        }

        // The server keeps a blank row after the last one with a value; if it has not been added yet,
        // leaving the field sends its value (the change event), which adds it.
        let next = inputOf(grid, row + 1, "serial");
        if (!next) {
            input.blur();
            next = await nextRowInput(grid, row);
        }
        if (next) {
            focusAndSelect(next);
        }
    };

    grid.addEventListener("keydown", onKeyDown);
    const first = [...grid.querySelectorAll('input[data-field="serial"]')].find(i => i.value === "");
    first?.focus();
    return { detach: () => grid.removeEventListener("keydown", onKeyDown) };
}
