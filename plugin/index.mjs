// The Netlify Build plugin (docs/build-plugin.md): before a production deploy, it runs the
// checker's Python with the build's python3 (`app.py --deploy-gate`), reads the one line of JSON
// it prints, and acts on it. Python decides, from the same team model as the page and the
// command line; this file only starts it, bounds it in time, and says what it said.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const APP = fileURLToPath(new URL("../app.py", import.meta.url));
const NAME = "netlify-bandwidth-checker";
// The whole check, the team's lookup and any wait for Netlify's rate limit included: a guard
// must never hold up a build for long.
const DEADLINE_SECONDS = 45;
const PYTHON = "python3";
const NEEDS_PYTHON = [3, 11];
// Python's own words go to the log as they are: the checker never prints a token, but a
// line is cut short all the same, and so is all it may print.
const MAX_OUTPUT = 64 * 1024;

export const onPreBuild = async ({ inputs, constants, utils }) => {
  if (process.env.CONTEXT !== "production") return; // only a production deploy costs credits
  const token = process.env.NETLIFY_AUTH_TOKEN;
  if (!token) {
    console.log(
      `${NAME}: off. To stop a production deploy that would run the team out of credits, set ` +
        "the environment variable NETLIFY_AUTH_TOKEN to a personal access token (docs/build-plugin.md).",
    );
    return;
  }
  // The checker prints no token; this holds whatever it is handed to that too.
  const say = (text) => (token.length < 8 ? String(text) : String(text).split(token).join("[token]"));
  const cautious = inputs.stopOnUnknown === true || inputs.stopOnUnknown === "true";
  const python = await pythonVersion();
  if (python.problem) {
    return unknown(utils, say, cautious, python.problem);
  }
  const site = constants.SITE_ID;
  if (!inputs.team && !site) {
    return unknown(utils, say, cautious, "the build names no site (SITE_ID): set the input `team`");
  }
  const args = ["-E", "-s", APP, "--deploy-gate"];
  args.push(...(inputs.team ? ["--team", String(inputs.team)] : ["--site", String(site)]));
  if (inputs.threshold !== undefined && inputs.threshold !== "") {
    args.push("--fail-over", String(inputs.threshold));
  }
  if (cautious) args.push("--stop-on-unknown");
  const ran = await run(args);
  for (const line of ran.stderr.split("\n").filter(Boolean)) console.log(say(line));
  if (ran.timedOut) {
    const why = `the check took longer than ${DEADLINE_SECONDS} seconds, so it was stopped`;
    return unknown(utils, say, cautious, why);
  }
  const gate = decision(ran.stdout);
  if (gate === undefined) {
    const why = `the checker did not give its decision (${python.name} exited with ${ran.code})`;
    return unknown(utils, say, cautious, why);
  }
  if (gate.action === "stop") {
    const said = [`${NAME} stopped this production deploy before it cost anything`, gate.reason];
    utils.status.show({ title: "Deploy stopped: credits", summary: say(gate.reason) });
    utils.build.failBuild(say(`${said.join(": ")}. ${gate.advice}`));
    return;
  }
  if (gate.standing === "unknown") {
    console.log(say(`${NAME}: ⚠ NOT GUARDED: ${gate.reason}.`));
    utils.status.show({ title: "Credits not checked", summary: say(gate.reason) });
    return;
  }
  console.log(say(`${NAME}: ${gate.summary}.`));
  utils.status.show({ title: "Credits", summary: say(gate.summary) });
};

// What the plugin itself could not tell, said as Python says its own unknowns: the deploy goes
// ahead, loudly, unless the user chose `stopOnUnknown`.
function unknown(utils, say, cautious, said) {
  const why = said.replace(/\.$/, "");
  if (cautious) {
    const reason = `whether this deploy is safe could not be told (${why}), and this guard stops then`;
    utils.status.show({ title: "Deploy stopped: credits not checked", summary: say(reason) });
    utils.build.failBuild(say(`${NAME} stopped this production deploy: ${reason}.`));
    return;
  }
  const reason = `whether this deploy is safe could not be told: ${why}. It goes ahead unguarded`;
  console.log(say(`${NAME}: ⚠ NOT GUARDED: ${reason}.`));
  utils.status.show({ title: "Credits not checked", summary: say(reason) });
}

function decision(stdout) {
  try {
    const gate = JSON.parse(stdout.trim().split("\n").pop());
    const known = ["go", "stop"].includes(gate.action) && typeof gate.summary === "string";
    return known ? gate : undefined;
  } catch {
    return undefined;
  }
}

async function pythonVersion() {
  const check = "import sys; print(sys.version_info[0], sys.version_info[1])";
  const ran = await run(["-c", check]);
  const [major, minor] = ran.stdout.trim().split(" ").map(Number);
  if (ran.missing) {
    return { problem: `no ${PYTHON} was found on this build's PATH, and the check needs Python` };
  }
  const wanted = NEEDS_PYTHON.join(".");
  if (!(major > NEEDS_PYTHON[0] || (major === NEEDS_PYTHON[0] && minor >= NEEDS_PYTHON[1]))) {
    const found = Number.isInteger(minor) ? `${major}.${minor}` : "one that did not say its version";
    return { problem: `the build's ${PYTHON} is ${found}; the check needs ${wanted} or newer` };
  }
  return { name: `${PYTHON} ${major}.${minor}` };
}

// Runs python3 with `args`; never rejects, never outlives the deadline.
function run(args) {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, args, {
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: DEADLINE_SECONDS * 1000,
      killSignal: "SIGKILL",
    });
    const out = { stdout: "", stderr: "" };
    for (const stream of ["stdout", "stderr"]) {
      child[stream].setEncoding("utf8");
      child[stream].on("data", (chunk) => {
        out[stream] = (out[stream] + chunk).slice(0, MAX_OUTPUT);
      });
    }
    child.on("error", (error) => {
      resolve({ ...out, missing: error.code === "ENOENT", code: null });
    });
    child.on("close", (code, signal) => {
      resolve({ ...out, code, timedOut: signal === "SIGKILL" });
    });
  });
}
