%%% A counter kept by a gen_server.
-module(counter_server).
-behaviour(gen_server).

-export([start_link/0, increment/1, value/0]).
-export([init/1, handle_call/3, handle_cast/2]).

-include_lib("kernel/include/logger.hrl").
-import(lists, [foldl/3]).

-define(SERVER, ?MODULE).
-define(MAX, 1000).

-record(state, {count = 0 :: integer(), owner :: pid() | undefined}).

-type amount() :: pos_integer().

%% Starts the server.
start_link() ->
    gen_server:start_link({local, ?SERVER}, ?MODULE, [], []).

-spec increment(amount()) -> ok.
increment(By) when is_integer(By), By > 0 ->
    gen_server:cast(?SERVER, {add, By}).

value() ->
    gen_server:call(?SERVER, value).

init([]) ->
    {ok, #state{}}.

handle_call(value, _From, State = #state{count = Count}) ->
    {reply, Count, State};
handle_call(_Other, _From, State) ->
    {reply, {error, unknown}, State}.

handle_cast({add, By}, State) ->
    Total = min(State#state.count + By, ?MAX),
    ?LOG_INFO("counter is now ~p", [Total]),
    {noreply, State#state{count = Total}}.

sum(Values) ->
    foldl(fun(V, Acc) -> V + Acc end, 0, Values).
