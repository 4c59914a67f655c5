"""Events: network meetings with agenda and workshops, public registration, participant lists."""
