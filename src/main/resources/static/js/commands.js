// What the person typed, turned into a wire frame (JSON, contract version 1) or a local action.
// The slash verbs are the original IM system's ones: to, who, rename. Its own spelling of them
// (to|NAME|TEXT, who, rename|NAME), which the README invites people to type, means the same here:
// sent as chat, a whisper would be shown to everyone.

export const HELP = [
  '/to NAME TEXT  whisper to NAME (or select them in the list); also to|NAME|TEXT',
  '/who           list who is online; also who',
  '/rename NAME   change your name; also rename|NAME',
  '//text         send a message that starts with /',
];

/** The original system's lines, as its server read them: exact, lower-case verbs. */
function parseOriginal(line) {
  const trimmed = line.trim();
  if (trimmed === 'who') {
    return { frame: { type: 'who' } };
  }
  if (trimmed.startsWith('rename|')) {
    const name = trimmed.slice('rename|'.length).trim();
    return name === '' ? { problem: 'Usage: rename|NAME' } : { frame: { type: 'rename', name } };
  }
  if (line.trimStart().startsWith('to|')) {
    const rest = line.trimStart().slice('to|'.length);
    const bar = rest.indexOf('|');
    const to = bar < 0 ? rest.trim() : rest.slice(0, bar).trim();
    const text = bar < 0 ? '' : rest.slice(bar + 1);
    if (to === '' || text.trim() === '') {
      return { problem: 'Usage: to|NAME|TEXT' };
    }
    return { frame: { type: 'private', to, text } };
  }
  return null;
}

/**
 * @returns one of
 *   {frame}            send this frame
 *   {help: true}       show the help
 *   {problem: string}  tell the person what is wrong, send nothing
 *   null               nothing to do (blank line)
 */
export function parseInput(line) {
  if (line.trim() === '') {
    return null;
  }
  if (!line.startsWith('/')) {
    return parseOriginal(line) ?? { frame: { type: 'chat', text: line } };
  }
  if (line.startsWith('//')) {
    return { frame: { type: 'chat', text: line.slice(1) } };
  }
  const match = /^\/(\S+)\s*([\s\S]*)$/.exec(line);
  const verb = match[1].toLowerCase();
  const rest = match[2];
  switch (verb) {
    case 'to': {
      const to = /^(\S+)\s+([\s\S]*\S[\s\S]*)$/.exec(rest);
      if (!to) {
        return { problem: 'Usage: /to NAME TEXT' };
      }
      return { frame: { type: 'private', to: to[1], text: to[2] } };
    }
    case 'who':
      return { frame: { type: 'who' } };
    case 'rename': {
      const name = rest.trim();
      if (name === '') {
        return { problem: 'Usage: /rename NAME' };
      }
      return { frame: { type: 'rename', name } };
    }
    case 'help':
      return { help: true };
    default:
      return { problem: `Unknown command /${verb}. Type /help for the list.` };
  }
}
