#pragma once
//! Synthetic daily check-ins for `tend demo`.

#include <string>

namespace tend::app {

class App;

//! About 60 days of the client's check-ins up to yesterday, some days missed: mood drifting
//! slowly upwards with ordinary ups and downs, a little better on days with exercise, sleep,
//! anxiety and energy to match, now and then a note (a few shared with the care team). No
//! self-harm urge high enough to raise an alert.
void demo_check_ins(App& app, const std::string& client_id);

}  // namespace tend::app
