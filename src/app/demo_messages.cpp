#include "app/demo_messages.h"

#include <boost/json.hpp>

#include "app/app.h"

namespace tend::app {

namespace bj = boost::json;

void demo_messages(App& app, const access::Principal& clinician, const access::Principal& client,
                   const std::string& client_id) {
  auto& m = app.messages();
  auto asked = m.start_mine(
      client, bj::object{{"subject", "Next week's session"},
                         {"body",
                          "Hi, could we move next week's session to the afternoon? I start a "
                          "new shift pattern on Monday."}});
  if (asked) {
    (void)m.mark_read(clinician, asked->id);
    (void)m.post(clinician, asked->id,
                 bj::object{{"body",
                             "Thanks for letting me know. Thursday at 15:00 is free; I have "
                             "pencilled you in. Let me know if that does not work."}});
  }
  (void)m.start(clinician, client_id,
                bj::object{{"kind", "staff"},
                           {"subject", "Sleep and the new shift pattern"},
                           {"body",
                            "Shift work starting next week. Worth reviewing the sleep plan and "
                            "medication timing at the next session."}});
}

}  // namespace tend::app
