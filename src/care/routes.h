#pragma once
//! HTTP mapping for the care pathway: episodes of care and waiting times.

#include "access/service.h"
#include "care/service.h"
#include "platform/http/router.h"

namespace tend::care {

void register_routes(http::Router& router, EpisodeService& episodes, TaskService& tasks,
                     AppointmentService& appointments, access::AccessService& access);

//! An episode as the API shows it (`detail`: with its steps and the stages it may move to).
boost::json::object to_json(const Episode& e, bool detail);
boost::json::object to_json(const ProgramWaits& w);
//! A task, with where it stands against `today` while open.
boost::json::object to_json(const Task& t, const std::string& today);
boost::json::object to_json(const Appointment& a);
boost::json::object to_json(const ChangeRequest& q);

}  // namespace tend::care
