// Durations and times as the console shows them.

/** 45 -> "45 s", 300 -> "5 min", 330 -> "5 min 30 s", 3900 -> "1 h 5 min". */
export function duration(totalSeconds) {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  if (seconds < 60) {
    return `${seconds} s`;
  }
  if (seconds < 3600) {
    const rest = seconds % 60;
    return rest === 0 ? `${seconds / 60 | 0} min` : `${seconds / 60 | 0} min ${rest} s`;
  }
  const hours = seconds / 3600 | 0;
  const minutes = (seconds % 3600) / 60 | 0;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/** A <time> element for an instant from the API: the time of day, with the date when not today. */
export function timeElement(instant) {
  const date = new Date(instant);
  const element = document.createElement('time');
  element.dateTime = date.toISOString();
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const today = date.toDateString() === new Date().toDateString();
  element.textContent = today ? time : `${date.toLocaleDateString()} ${time}`;
  element.title = date.toLocaleString();
  return element;
}

export function clock(date = new Date()) {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
