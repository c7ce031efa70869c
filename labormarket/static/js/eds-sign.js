// Signing with an electronic digital signature (ЭЦП).
//
// A button with data-eds-sign signs bytes the server gives and puts the CMS (base64) into the
// form's hidden "cms" field, then submits the form. NCALayer (the national signing application,
// through ncalayer-js-client) is used when it runs on this computer; otherwise, and only where
// the server enables it (local and demo installations), the clearly marked demo signer signs
// with the test PKI.
//
//   data-bytes-url  GET (or POST with the form's fields as JSON when data-bytes-post is set):
//                   returns {"data": base64}
//   data-demo-url   the demo signer (absent in production)
(function () {
  "use strict";

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  async function sha256Hex(file) {
    const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
    return Array.from(new Uint8Array(digest)).map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function bytesToSign(button, form) {
    const url = button.dataset.bytesUrl;
    if (!button.dataset.bytesPost) {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) throw new Error(button.dataset.errorText || "HTTP " + response.status);
      return (await response.json()).data;
    }
    const fields = Object.fromEntries(new FormData(form).entries());
    delete fields.files;
    delete fields.cms;
    const files = form.querySelector("input[type=file]");
    fields.attachment_sha256 = [];
    for (const file of files ? files.files : []) {
      fields.attachment_sha256.push(await sha256Hex(file));
    }
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(fields),
    });
    if (!response.ok) throw new Error(button.dataset.errorText || "HTTP " + response.status);
    return (await response.json()).data;
  }

  async function signWithNcaLayer(data) {
    if (!window.NCALayerClient) return null;
    const client = new window.NCALayerClient();
    try {
      await client.connect();
    } catch (error) {
      return null; // NCALayer is not running here
    }
    const Client = window.NCALayerClient;
    return client.basicsSignCMS(
      Client.basicsStorageAll,
      data,
      Client.basicsCMSParamsDetached,
      Client.basicsSignerSignAny,
      document.documentElement.lang === "kk" ? "kk" : "ru"
    );
  }

  async function signWithDemo(url, data) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ data: data }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ? body.error.message : "HTTP " + response.status);
    return body.cms;
  }

  async function sign(button) {
    const form = button.closest("form");
    const status = form.querySelector("[data-eds-status]");
    const say = (text, kind) => {
      if (!status) return;
      status.textContent = text;
      status.className = "small mt-2 text-" + (kind || "body-secondary");
    };
    if (!form.reportValidity()) return;
    button.disabled = true;
    try {
      say(button.dataset.preparingText || "…");
      const data = await bytesToSign(button, form);
      let cms = await signWithNcaLayer(data);
      if (cms === null) {
        if (!button.dataset.demoUrl) throw new Error(button.dataset.noNcalayerText || "NCALayer");
        say(button.dataset.demoText || "demo", "warning");
        cms = await signWithDemo(button.dataset.demoUrl, data);
      }
      form.querySelector("input[name=cms]").value = cms;
      form.submit();
    } catch (error) {
      say(error && error.message ? error.message : String(error), "danger");
      button.disabled = false;
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-eds-sign]");
    if (button) {
      event.preventDefault();
      sign(button);
    }
  });
})();
