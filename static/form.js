// The form's parts that more than one module works with, looked up once. (The framed page
// removes the form: then nothing here is used.)
const $ = (selector) => document.querySelector(selector);

export const form = $("#check-form");
// Absent in the widget, which takes its token from the checker's own window.
export const tokenInput = $("#token");
export const teamInput = $("#team");
export const refreshButton = $("#refresh");
export const units = () => form.elements.units.value;
