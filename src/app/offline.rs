//! Offline and updates, the typed context of the header's status: registers the service
//! worker (`pwa/sw.js`, see docs/web-app.md, "Offline and installable"), follows the network state, and
//! notices a new version waiting, which takes over only when the user restarts the app with it,
//! so a page never runs half of one version and half of another.

use gloo_events::EventListener;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ServiceWorkerRegistration, ServiceWorkerState};

/// How often a page that stays open asks for a new deploy.
const UPDATE_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// The header's view of connectivity and versions.
#[derive(Clone, Copy)]
pub struct Offline {
    /// The browser reports a network connection.
    pub online: RwSignal<bool>,
    /// The service worker is active: every file of this version is cached.
    pub ready: RwSignal<bool>,
    /// A new version is installed and waiting for a restart.
    pub update: RwSignal<bool>,
    /// A new version took over (this tab's Restart or another tab's): this tab's files are
    /// gone from the cache, so it must start again, once nothing would be lost (the app
    /// decides when).
    pub replaced: RwSignal<bool>,
    /// Why offline use is not available (no service worker support, registration failed).
    pub unavailable: RwSignal<Option<String>>,
    registration: StoredValue<Option<ServiceWorkerRegistration>, LocalStorage>,
}

fn listen(target: &web_sys::EventTarget, event: &'static str, mut handler: impl FnMut() + 'static) {
    // The listeners live as long as the page (the app's one instance).
    EventListener::new(target, event, move |_| handler()).forget();
}

impl Offline {
    pub fn provide() -> Offline {
        let window = web_sys::window().expect("the app runs in a page");
        let offline = Offline {
            online: RwSignal::new(window.navigator().on_line()),
            ready: RwSignal::new(false),
            update: RwSignal::new(false),
            replaced: RwSignal::new(false),
            unavailable: RwSignal::new(None),
            registration: StoredValue::new_local(None),
        };
        provide_context(offline);
        listen(&window, "online", move || offline.online.set(true));
        listen(&window, "offline", move || offline.online.set(false));
        wasm_bindgen_futures::spawn_local(async move { offline.register().await });
        offline
    }

    async fn register(&self) {
        let navigator = web_sys::window().expect("a page").navigator();
        if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
            self.unavailable.set(Some("this browser (or an insecure origin) offers no service workers".into()));
            return;
        }
        let container = navigator.service_worker();
        let registration = match wasm_bindgen_futures::JsFuture::from(container.register("sw.js")).await {
            Ok(registration) => registration.unchecked_into::<ServiceWorkerRegistration>(),
            Err(e) => {
                self.unavailable.set(Some(format!("the service worker did not register: {e:?}")));
                return;
            }
        };
        self.registration.set_value(Some(registration.clone()));
        let offline = *self;
        // A worker installed while another one controls this page is a new version.
        let watch = {
            let (registration, container) = (registration.clone(), container.clone());
            move || {
                if container.controller().is_some() && registration.waiting().is_some() {
                    offline.update.set(true);
                }
            }
        };
        watch();
        // The new worker may be installing already (the navigation started the check before
        // the wasm registered), or start later.
        let follow = move |registration: &ServiceWorkerRegistration| {
            if let Some(installing) = registration.installing() {
                let (watch, worker) = (watch.clone(), installing.clone());
                listen(&installing, "statechange", move || {
                    if worker.state() == ServiceWorkerState::Installed {
                        watch();
                    }
                });
            }
        };
        follow(&registration);
        {
            let registration = registration.clone();
            listen(&registration.clone(), "updatefound", move || follow(&registration));
        }
        // Whichever tab pressed Restart, every tab the old version ran in must start again:
        // its cache is gone. A page's first controller (the first visit) changes nothing.
        let controlled = std::rc::Rc::new(std::cell::Cell::new(container.controller().is_some()));
        listen(&container, "controllerchange", move || {
            if controlled.replace(true) {
                offline.replaced.set(true);
            }
        });
        // A page that is never reloaded (a kiosk) still looks for a new deploy now and then,
        // for as long as the page lives; offline, the check just fails.
        let check = move || {
            if let Ok(promise) = registration.update() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                });
            }
        };
        let _ = set_interval_with_handle(check, UPDATE_CHECK_EVERY);
        if let Ok(ready) = container.ready()
            && wasm_bindgen_futures::JsFuture::from(ready).await.is_ok()
        {
            self.ready.set(true);
        }
    }

    /// Restarts the app with the waiting new version.
    pub fn restart(&self) {
        let waiting = self.registration.with_value(|r| r.as_ref().and_then(ServiceWorkerRegistration::waiting));
        match waiting {
            Some(worker) => {
                let _ = worker.post_message(&"skip-waiting".into());
            }
            None => self.reload(),
        }
    }

    /// Starts this tab again (with whichever version now controls it).
    pub fn reload(&self) {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    }
}

pub fn use_offline() -> Offline {
    expect_context::<Offline>()
}
