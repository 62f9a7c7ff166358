import { beforeEach, describe, expect, it } from 'vitest';
import { stashPassphraseFromTypedLink, storedPassphrase, watchTypedLinks } from '../src/passphrase';

describe('a meeting link typed into a field', () => {
  beforeEach(() => window.sessionStorage.clear());

  it('loses its passphrase before the value can go anywhere, and the link page keeps it', () => {
    const value = stashPassphraseFromTypedLink('https://meet.example.org/m/abc-defg-hij#passphrase=s3cret%20words');

    expect(value).toBe('https://meet.example.org/m/abc-defg-hij');
    expect(storedPassphrase('/m/abc-defg-hij')).toBe('s3cret words');
  });

  it('keeps every other value as it is', () => {
    for (const value of ['abc-defg-hij', 'https://meet.example.org/m/abc-defg-hij#content', 'a#b', '']) {
      expect(stashPassphraseFromTypedLink(value)).toBe(value);
    }
    expect(window.sessionStorage.length).toBe(0);
  });

  it('cleans a marked field in the capture phase, before handlers further down see the input', () => {
    watchTypedLinks();
    const field = document.createElement('input');
    field.setAttribute('data-passphrase-safe', '');
    document.body.append(field);
    let seenByPage = '';
    field.addEventListener('input', () => (seenByPage = field.value));

    field.value = 'http://localhost/m/abc-defg-hij#passphrase=pw';
    field.dispatchEvent(new Event('input', { bubbles: true }));

    expect(seenByPage).toBe('http://localhost/m/abc-defg-hij');
    expect(storedPassphrase('/m/abc-defg-hij')).toBe('pw');
    field.remove();
  });

  it('leaves unmarked fields alone', () => {
    watchTypedLinks();
    const field = document.createElement('input');
    document.body.append(field);
    field.value = 'x#passphrase=pw';
    field.dispatchEvent(new Event('input', { bubbles: true }));

    expect(field.value).toBe('x#passphrase=pw');
    field.remove();
  });
});
